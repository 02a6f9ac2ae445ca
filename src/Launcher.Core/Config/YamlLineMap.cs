using YamlDotNet.RepresentationModel;

namespace Launcher.Core.Config;

/// <summary>
/// Line numbers of every key, by path ("issuers[0].clock_skew"), so semantic errors can
/// point at the line to edit. Built from the representation model, which needs no reflection.
/// </summary>
public sealed class YamlLineMap
{
    private readonly Dictionary<string, int> _lines = new(StringComparer.Ordinal);

    public static YamlLineMap Build(string yaml)
    {
        var map = new YamlLineMap();
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count > 0)
            map.Walk(stream.Documents[0].RootNode, "");
        return map;
    }

    /// <summary>The line of the key at <paramref name="path"/>, else of its nearest ancestor, else 0.</summary>
    public int LineOf(string path)
    {
        while (true)
        {
            if (_lines.TryGetValue(path, out int line)) return line;
            int cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
            if (cut <= 0) return _lines.GetValueOrDefault(path, 0);
            path = path[..cut];
        }
    }

    private void Walk(YamlNode node, string path)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    string name = key is YamlScalarNode s ? s.Value ?? "" : "?";
                    string child = path.Length == 0 ? name : $"{path}.{name}";
                    _lines[child] = (int)key.Start.Line;
                    Walk(value, child);
                }
                break;
            case YamlSequenceNode sequence:
                for (int i = 0; i < sequence.Children.Count; i++)
                {
                    string child = $"{path}[{i}]";
                    _lines[child] = (int)sequence.Children[i].Start.Line;
                    Walk(sequence.Children[i], child);
                }
                break;
        }
    }
}
