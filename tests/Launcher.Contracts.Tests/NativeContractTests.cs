using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Launcher.Contracts.Tests.Support;
using Launcher.Pam;
using Launcher.Posix.Interop;

namespace Launcher.Contracts.Tests;

/// <summary>
/// The C# mirrors of native/cil_spawn.h and native/ci_launcher_pam.h against what gcc says about
/// the headers themselves (<see cref="CProbe"/>): the step numbers ChildFailure turns into
/// reason codes, the request and error layouts JobLauncher hands to cil_spawn, and the result
/// codes and constants of the PAM library's C ABI. A difference is a job described with the
/// wrong reason, a request read at the wrong offsets by the child, or a login answered wrongly.
/// </summary>
public class NativeContractTests
{
    private static readonly string SpawnHeader = CProbe.Header("cil_spawn.h");
    private static readonly string PamHeader = CProbe.Header("ci_launcher_pam.h");

    /// <summary>CIL_STEP_SCRIPT_NOT_REGULAR -> ScriptNotRegular.</summary>
    private static string CSharpName(string cName, string prefix) =>
        string.Concat(cName[prefix.Length..].Split('_').Select(w => w[..1] + w[1..].ToLowerInvariant()));

    public static TheoryData<string> Steps() => new(CProbe.EnumMembers(SpawnHeader, "cil_step"));

    [Theory]
    [MemberData(nameof(Steps))]
    public void Each_cil_step_has_its_number_in_Spawn_Step(string step)
    {
        string name = CSharpName(step, "CIL_STEP_");
        Assert.True(Enum.TryParse(name, out Spawn.Step mirrored), $"enum cil_step has {step}, Spawn.Step has no {name} (src/Launcher.Posix/Interop/Spawn.cs; then describe it in Launch/ChildFailure.cs)");
        Assert.Equal(CProbe.Value(step), (long)mirrored);
    }

    [Fact]
    public void Spawn_Step_has_no_step_the_C_side_lacks()
    {
        var c = CProbe.EnumMembers(SpawnHeader, "cil_step").Select(s => CSharpName(s, "CIL_STEP_")).ToHashSet();
        var extra = Enum.GetNames<Spawn.Step>().Where(n => n != nameof(Spawn.Step.Unknown) && !c.Contains(n)).ToList();
        Assert.True(extra.Count == 0, $"Spawn.Step has {string.Join(", ", extra)}, which enum cil_step in native/cil_spawn.h does not");
        Assert.False(c.Contains(nameof(Spawn.Step.Unknown)), "Spawn.Step.Unknown (0) is the C# side's 'no step'; enum cil_step must not use it");
    }

    public static TheoryData<string, Type> Structs() => new()
    {
        { "cil_spawn_request", typeof(Spawn.Request) },
        { "cil_spawn_error", typeof(Spawn.Error) },
        { "cil_rlimit", typeof(Spawn.Rlimit) },
    };

    [Theory]
    [MemberData(nameof(Structs))]
    public void Struct_layout_matches_the_header(string cStruct, Type mirror)
    {
        var fields = mirror.GetFields(BindingFlags.Public | BindingFlags.Instance).Select(f => f.Name).ToList();
        Assert.Equal(CProbe.StructFields(SpawnHeader, cStruct), fields);
        foreach (string field in fields)
            Assert.True(CProbe.Value($"offsetof(struct {cStruct}, {field})") == (long)Marshal.OffsetOf(mirror, field),
                $"{mirror.Name}.{field} is at offset {Marshal.OffsetOf(mirror, field)}, {cStruct}.{field} at {CProbe.Value($"offsetof(struct {cStruct}, {field})")}");
        Assert.Equal(CProbe.Value($"sizeof(struct {cStruct})"), (long)SizeOf(mirror));
    }

    private static int SizeOf(Type t) =>
        (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(t).Invoke(null, null)!;

    private static readonly string[] PamConstants = ["CIL_PAM_ABI_VERSION", "CIL_PAM_MAX_TOKEN_BYTES"];

    private static List<string> PamCodeNames() => CProbe.Defines(PamHeader, "CIL_PAM_").Where(d => !PamConstants.Contains(d)).ToList();

    public static TheoryData<string> PamCodes() => new(PamCodeNames());

    [Theory]
    [MemberData(nameof(PamCodes))]
    public void Each_CIL_PAM_code_has_its_number_in_PamResult(string code)
    {
        string name = CSharpName(code, "CIL_PAM_");
        Assert.True(Enum.TryParse(name, out PamResult mirrored), $"ci_launcher_pam.h defines {code}, PamResult has no {name} (src/Launcher.Pam/PamResult.cs)");
        Assert.Equal(CProbe.Value(code), (long)mirrored);
    }

    [Fact]
    public void PamResult_has_no_code_the_header_lacks()
    {
        var c = PamCodeNames().Select(code => CSharpName(code, "CIL_PAM_")).ToHashSet();
        var extra = Enum.GetNames<PamResult>().Where(n => !c.Contains(n)).ToList();
        Assert.True(extra.Count == 0, $"PamResult has {string.Join(", ", extra)}, which native/ci_launcher_pam.h does not define: the shim would answer PAM_SERVICE_ERR");
    }

    [Fact]
    public void PAM_ABI_constants_match_the_library()
    {
        long abi = CProbe.Value("CIL_PAM_ABI_VERSION"), maxToken = CProbe.Value("CIL_PAM_MAX_TOKEN_BYTES");
        Assert.True(abi == NativeExports.Abi, $"ci_launcher_pam.h says ABI {abi}, the library answers {NativeExports.Abi}");
        Assert.True(maxToken == (long)NativeExports.MaxPasswordBytes, $"the shim passes at most {maxToken} bytes, the library reads at most {NativeExports.MaxPasswordBytes}");
    }
}
