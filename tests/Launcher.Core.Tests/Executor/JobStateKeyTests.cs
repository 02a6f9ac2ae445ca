using Launcher.Core.Executor;

namespace Launcher.Core.Tests.Executor;

public class JobStateKeyTests
{
    [Fact]
    public void The_same_job_id_of_two_issuers_names_two_directories()
    {
        var a = new JobStateKey(5001, "https://gitlab.example.org");
        var b = new JobStateKey(5001, "https://gitlab.other.example");
        Assert.NotEqual(a.Name, b.Name);
        Assert.StartsWith("5001.", a.Name);
        Assert.Equal(a.Name, new JobStateKey(5001, "https://gitlab.example.org").Name);
    }

    [Theory]
    [InlineData("https://gitlab.example.org")]
    [InlineData("https://x/../../etc")]
    [InlineData("")]
    [InlineData("issuer with / and \0 and spaces")]
    public void The_name_is_a_plain_file_name_whatever_the_issuer_holds(string issuer)
    {
        string name = new JobStateKey(42, issuer).Name;
        Assert.Matches("^42\\.[0-9a-f]{12}$", name);
    }
}
