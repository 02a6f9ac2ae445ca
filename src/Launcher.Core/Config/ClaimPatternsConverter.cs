using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Launcher.Core.Config;

/// <summary>Reads <c>claim: "pattern"</c> and <c>claim: [a, b]</c> alike; anything else (a mapping) is an error.</summary>
internal sealed class ClaimPatternsConverter : IYamlTypeConverter
{
    public bool Accepts(Type type) => type == typeof(ClaimPatterns);

    public object? ReadYaml(IParser parser, Type type, ObjectDeserializer rootDeserializer)
    {
        if (parser.TryConsume<Scalar>(out var scalar))
            return new ClaimPatterns([scalar.Value]);

        if (parser.TryConsume<SequenceStart>(out var start))
        {
            var patterns = new List<string>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                if (!parser.TryConsume<Scalar>(out var item))
                    throw new YamlException(parser.Current?.Start ?? start.Start, parser.Current?.End ?? start.End,
                        "a match list may contain only strings");
                patterns.Add(item.Value);
            }
            return new ClaimPatterns(patterns);
        }

        var current = parser.Current!;
        throw new YamlException(current.Start, current.End, "a match value must be a string or a list of strings");
    }

    public void WriteYaml(IEmitter emitter, object? value, Type type, ObjectSerializer serializer) =>
        throw new NotSupportedException("configuration is never written back");
}
