using System.Globalization;
using System.Reflection;
using CryptoIndex.MarketData.Http;
using Microsoft.Extensions.Configuration;

namespace CryptoIndex.Operator.Configuration;

/// <summary>
/// Reads settings with the configuration binder, turning a value it cannot convert (<c>2m</c> for a duration,
/// <c>abc</c> for a number) into a <see cref="ConfigurationException"/> naming the key and the format expected: the
/// binder's own <see cref="InvalidOperationException"/> would end <c>run</c> with a stack trace.
/// </summary>
internal static class ConfigurationValues
{
    /// <summary>The value of <paramref name="key"/> under <paramref name="section"/>, or <paramref name="fallback"/> when it is not set.</summary>
    public static T Get<T>(IConfigurationSection section, string key, T fallback)
    {
        T value;
        try
        {
            value = section.GetValue(key, fallback)!;
        }
        catch (InvalidOperationException)
        {
            throw Unconvertible(section.GetSection(key), typeof(T), fallback);
        }

        // The binder takes any number for an enum (Plan=2): only its named values are settings.
        return value is Enum named && !Enum.IsDefined(named.GetType(), named)
            ? throw Unconvertible(section.GetSection(key), typeof(T), fallback)
            : value;
    }

    /// <summary>
    /// The base URL at <paramref name="key"/> with a trailing slash added to an http(s) URL's path
    /// (<see cref="HttpUrls.AsBase"/>), or null when it is not set or empty (the binder reads an empty value as no URL):
    /// the caller's default. Whether it is an absolute http(s) URL is for the caller to check, naming the key.
    /// </summary>
    public static Uri? GetBaseUrl(IConfigurationSection section, string key) =>
        Get<Uri?>(section, key, null) is { } url ? HttpUrls.AsBase(url) : null;

    /// <summary>
    /// The settings of <paramref name="section"/> bound onto <paramref name="fallback"/>'s type, or <paramref name="fallback"/>
    /// when none is set. A key that is none of the type's public settable properties is refused (<see cref="RefuseUnknownKeys"/>):
    /// the binder would pass over it, leaving a misspelled setting at its default.
    /// </summary>
    public static T Bind<T>(IConfigurationSection section, T fallback)
        where T : class
    {
        T bound;
        try
        {
            bound = section.Get<T>() ?? fallback;
        }
        catch (InvalidOperationException)
        {
            // The binder names the key only in its message's prose: find the value that does not convert.
            foreach (var child in section.GetChildren())
            {
                if (typeof(T).GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is not { } property)
                {
                    continue;
                }

                try
                {
                    child.Get(property.PropertyType);
                }
                catch (InvalidOperationException)
                {
                    throw Unconvertible(child, property.PropertyType, property.GetValue(fallback));
                }
            }

            // Not one value that fails to convert: name the section and its keys, never a value (it could be a secret).
            throw new ConfigurationException(
                $"{section.Path} cannot be read as {typeof(T).Name}: check its keys ({string.Join(", ", section.GetChildren().Select(c => c.Key))})");
        }

        // Declaration order (metadata token), as the settings are documented.
        RefuseUnknownKeys(section, [.. typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true })
            .OrderBy(p => p.MetadataToken)
            .Select(p => p.Name)]);
        return bound;
    }

    /// <summary>
    /// Refuses a key under <paramref name="section"/> that is not one of <paramref name="accepted"/> (compared
    /// case-insensitively, as configuration keys are), naming it and the keys the section takes, never its value.
    /// </summary>
    public static void RefuseUnknownKeys(IConfigurationSection section, IReadOnlyList<string> accepted)
    {
        var unknown = section.GetChildren()
            .Select(c => c.Path)
            .Where(path => !accepted.Contains(ConfigurationPath.GetSectionKey(path), StringComparer.OrdinalIgnoreCase))
            .ToList();
        if (unknown.Count > 0)
        {
            throw new ConfigurationException(
                $"{string.Join(", ", unknown)} {(unknown.Count == 1 ? "is not a setting" : "are not settings")}: {section.Path} takes {string.Join(", ", accepted)}");
        }
    }

    private static ConfigurationException Unconvertible(IConfigurationSection setting, Type type, object? example)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var expected = type == typeof(TimeSpan) ? "a duration as hh:mm:ss"
            : type == typeof(int) ? "a whole number"
            : type == typeof(double) || type == typeof(decimal) ? "a number"
            : type.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(type))
            : type == typeof(Uri) ? "an absolute http(s) URL"
            : "a " + type.Name;
        var shown = example is null || type.IsEnum ? string.Empty : ", e.g. " + Convert.ToString(example, CultureInfo.InvariantCulture);
        var value = type == typeof(Uri) ? HttpUrls.Redact(setting.Value ?? string.Empty) : setting.Value; // user:password@ never shown
        return new ConfigurationException($"{setting.Path} must be {expected}{shown}, not '{value}'");
    }
}
