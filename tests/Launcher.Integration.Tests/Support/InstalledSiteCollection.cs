namespace Launcher.Integration.Tests.Support;

/// <summary>The test classes that run ci-launcher through the installed setuid wrapper: one installation per run, one test at a time.</summary>
[CollectionDefinition(InstalledSite.Collection)]
public sealed class InstalledSiteCollection : ICollectionFixture<InstalledSite>
{
}
