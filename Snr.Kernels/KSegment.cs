namespace Snr.Kernels;

/// <summary>
/// One piece of a GEMM reduction: <c>Scale · op(A)[:, AOffset .. AOffset+Length) · op(B)[BOffset .. BOffset+Length, :]</c>.
/// </summary>
/// <remarks>
/// A dense GEMM is the single segment <c>(0, 0, k, 1)</c>. The routed matmul describes "sum over the live
/// blocks j of z_ij · x_j · W_ijᵀ" as one segment per live block, so that the packed kernel accumulates all
/// of them in registers without storing C between blocks. The scale is folded into the packed copy of B.
/// </remarks>
internal readonly record struct KSegment(int AOffset, int BOffset, int Length, float Scale);

/// <summary>
/// A run of C's (and op(B)'s) columns <c>[ColumnStart, ColumnStart+ColumnCount)</c> whose reduction is the
/// segments <c>[SegmentStart, SegmentStart+SegmentCount)</c> of a segment list. A group without segments
/// means <c>C = beta·C</c> on its columns.
/// </summary>
internal readonly record struct ColumnGroup(int ColumnStart, int ColumnCount, int SegmentStart, int SegmentCount);
