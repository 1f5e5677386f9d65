using System.Diagnostics.CodeAnalysis;

namespace CryptoIndex.Engine;

/// <summary>
/// Either a value or an <see cref="EngineError"/>, never both and never a partial value. Infeasible inputs are
/// answered with an error value instead of an exception so callers can report them without trading.
/// </summary>
public sealed class EngineResult<T>
{
    private readonly T? value;

    private EngineResult(T? value, EngineError? error)
    {
        this.value = value;
        Error = error;
    }

    public EngineError? Error { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    /// <summary>The value; throws when the result is an error, so read <see cref="IsSuccess"/> first.</summary>
    public T Value => IsSuccess ? value! : throw new InvalidOperationException($"No value: {Error}");

#pragma warning disable CA1000 // Factories on the result type read best at call sites: EngineResult<T>.Failure(...).
    public static EngineResult<T> Success(T value) => new(value, null);

    public static EngineResult<T> Failure(EngineError error) => new(default, error ?? throw new ArgumentNullException(nameof(error)));

    public static EngineResult<T> Failure(string rule, string field, string message) => Failure(new EngineError(rule, field, message));

#pragma warning restore CA1000

#pragma warning disable CA2225 // Named alternatives exist: Success and Failure.
    public static implicit operator EngineResult<T>(T value) => Success(value);

    public static implicit operator EngineResult<T>(EngineError error) => Failure(error);
#pragma warning restore CA2225

    public override string ToString() => IsSuccess ? $"Success({value})" : $"Failure({Error})";
}
