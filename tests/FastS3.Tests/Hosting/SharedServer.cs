namespace FastS3.Tests.Hosting;

/// <summary>
/// One in-process server for all the tests of a class (its xunit class fixture), where sharing one
/// is not what they test: each test uses keys of its own. <see cref="PrepareAsync"/> sets up what
/// they all read.
/// </summary>
public abstract class SharedServer(bool tls, string[] arguments) : IAsyncLifetime
{
    public InProcessServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await InProcessServer.StartAsync(tls, extraArguments: arguments);
        await PrepareAsync(Server);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    protected abstract Task PrepareAsync(InProcessServer server);
}
