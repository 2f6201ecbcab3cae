using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("FastS3.Tests.LongRunningFirst", "FastS3.Tests")]

namespace FastS3.Tests;

/// <summary>Marks a test class that takes tens of seconds (a crash workload, the AOT build it waits for).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RunsLongAttribute : Attribute;

/// <summary>
/// Starts the classes marked <see cref="RunsLongAttribute"/> first: with four classes at a time on
/// two cores, a long one started last is the run's tail, the others long finished.
/// </summary>
public sealed class LongRunningFirst : ITestCollectionOrderer
{
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections)
        => testCollections.OrderBy(collection => RunsLong(collection) ? 0 : 1).ThenBy(collection => collection.DisplayName, StringComparer.Ordinal);

    private static bool RunsLong(ITestCollection collection)
    {
        const string prefix = "Test collection for ";
        return collection.DisplayName.StartsWith(prefix, StringComparison.Ordinal)
            && collection.TestAssembly.Assembly.GetType(collection.DisplayName[prefix.Length..]) is { } type
            && type.GetCustomAttributes(typeof(RunsLongAttribute)).Any();
    }
}
