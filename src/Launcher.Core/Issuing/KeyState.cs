namespace Launcher.Core.Issuing;

/// <summary>Where a site key is in its rotation. Every state is published in the JWKS; only one key signs.</summary>
public enum KeyState
{
    /// <summary>Generated and published, not yet signing: relying parties learn it before they see its tokens.</summary>
    Published,
    /// <summary>The one key that signs new site tokens.</summary>
    Signing,
    /// <summary>Stopped signing; stays published until every token it signed has expired everywhere.</summary>
    Draining,
}
