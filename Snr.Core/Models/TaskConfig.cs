namespace Snr.Core.Models;

/// <summary>What a task predicts, which fixes its head and its loss.</summary>
public enum TaskKind
{
    /// <summary>A binary label in {0, 1}: the head is one logit, the loss binary cross-entropy with logits.</summary>
    Binary,

    /// <summary>A real value: the head is one value, the loss the mean squared error.</summary>
    Regression,
}

/// <summary>One task of a multi-task model.</summary>
public sealed record TaskConfig
{
    /// <summary>The task's name: letters, digits, '_' or '-' (it becomes part of parameter names such as <c>towers.income.0.weight</c>).</summary>
    public string Name { get; set; } = "";

    /// <summary>Binary or regression.</summary>
    public TaskKind Kind { get; set; } = TaskKind.Binary;

    /// <summary>Creates an empty task (for JSON).</summary>
    public TaskConfig() { }

    /// <summary>Creates a task.</summary>
    public TaskConfig(string name, TaskKind kind = TaskKind.Binary)
    {
        Name = name;
        Kind = kind;
    }
}
