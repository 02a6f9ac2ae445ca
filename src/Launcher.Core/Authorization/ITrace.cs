namespace Launcher.Core.Authorization;

/// <summary>Receives the human-readable steps of a decision, for <c>ci-launcher explain</c>.</summary>
public interface ITrace
{
    void Line(string text);
}
