using Daytona.Checkpoints.Storage;
using Daytona.Checkpoints.Storage.Azure;
using Daytona.Common;

namespace Checkpoints.Tests.Storage.Azure;

/// <summary>Where an Azure Blob repository's credentials come from (the Az / az CLI conventions); no secret is ever shown.</summary>
public sealed class AzureBlobCredentialsTests
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    private static AzureBlobCredentials For(string location, Func<string, string?> environment) =>
        AzureBlobCredentials.From(RepositoryLocation.ParseUrl(location), environment);

    [Fact]
    public void AnAzLocationTakesTheAccountFromTheConnectionString()
    {
        var connection = $"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={Key};EndpointSuffix=core.windows.net";
        var credentials = For("az://checkpoints/team/app", Env(("AZURE_STORAGE_CONNECTION_STRING", connection)));
        Assert.Equal("acct", credentials.AccountName);
        Assert.Equal(new Uri("https://acct.blob.core.windows.net/"), credentials.ServiceUri);
        Assert.Equal("AZURE_STORAGE_CONNECTION_STRING", credentials.Source);
        Assert.Equal("https://acct.blob.core.windows.net/checkpoints/team/app/", credentials.Display);
        Assert.Contains(Key, credentials.Secrets);
        Assert.Contains(connection, credentials.Secrets);
    }

    [Fact]
    public void AzuritesDevelopmentStorageShortcutWorks()
    {
        var credentials = For("az://checkpoints", Env(("AZURE_STORAGE_CONNECTION_STRING", "UseDevelopmentStorage=true")));
        Assert.Equal("devstoreaccount1", credentials.AccountName);
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1/"), credentials.ServiceUri);
    }

    [Fact]
    public void AnAccountAndKeyFromTheEnvironmentAreUsedTheAzCliWay()
    {
        var credentials = For("az://checkpoints", Env(("AZURE_STORAGE_ACCOUNT", "acct"), ("AZURE_STORAGE_KEY", Key), ("AZURE_STORAGE_SAS_TOKEN", "sv=1&sig=x")));
        Assert.Equal("AZURE_STORAGE_KEY", credentials.Source);
        Assert.Equal(new Uri("https://acct.blob.core.windows.net/"), credentials.ServiceUri);
        Assert.Equal(new[] { Key }, credentials.Secrets);
    }

    [Fact]
    public void ASasTokenFromTheEnvironmentComesAfterTheKey()
    {
        var credentials = For("az://checkpoints", Env(("AZURE_STORAGE_ACCOUNT", "acct"), ("AZURE_STORAGE_SAS_TOKEN", "?sv=1&sig=abc")));
        Assert.Equal("AZURE_STORAGE_SAS_TOKEN", credentials.Source);
        Assert.Equal(new[] { "?sv=1&sig=abc" }, credentials.Secrets);
    }

    [Fact]
    public void ASasInTheLocationWinsAndIsNeverShown()
    {
        const string sas = "sv=2024-08-04&ss=b&srt=co&sp=rwdlac&se=2030-01-01T00:00:00Z&sig=c2VjcmV0c2lnbmF0dXJl%3D";
        var credentials = For("https://acct.blob.core.windows.net/checkpoints/app?" + sas, Env(("AZURE_STORAGE_KEY", Key)));
        Assert.Equal("the SAS token in the location", credentials.Source);
        Assert.Equal("https://acct.blob.core.windows.net/checkpoints/app/", credentials.Display);
        Assert.Equal(new[] { sas }, credentials.Secrets);
    }

    [Fact]
    public void WithoutAnyKeyTheCredentialIsEntraId()
    {
        var credentials = For("https://acct.blob.core.windows.net/checkpoints", Env());
        Assert.StartsWith("Entra ID", credentials.Source);
        Assert.Empty(credentials.Secrets);
        Assert.NotNull(credentials.CreateClient(new StorageOptions()));
    }

    [Fact]
    public void AConnectionStringOfAnotherAccountIsNotUsedForThisOne()
    {
        var credentials = For("https://acct.blob.core.windows.net/checkpoints", Env(("AZURE_STORAGE_CONNECTION_STRING", $"AccountName=other;AccountKey={Key}")));
        Assert.StartsWith("Entra ID", credentials.Source);
        Assert.Empty(credentials.Secrets);
    }

    [Fact]
    public void AnAzLocationWithoutAnyAccountSaysWhatToSet()
    {
        var error = Assert.Throws<DaytonaException>(() => For("az://checkpoints/app", Env()));
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("AZURE_STORAGE_ACCOUNT", error.RecommendedAction);
    }

    [Fact]
    public void AKeyThatIsNotBase64IsRefusedWithoutShowingIt()
    {
        var error = Assert.Throws<DaytonaException>(() => For("az://checkpoints", Env(("AZURE_STORAGE_ACCOUNT", "acct"), ("AZURE_STORAGE_KEY", "not base64 !!"))));
        Assert.DoesNotContain("not base64 !!", error.Message);
    }

    /// <summary>The storage builds the SDK's client in the background and names its cache without it: the URL it knows must be the SDK's.</summary>
    [Theory]
    [InlineData("az://checkpoints/team/app", "AZURE_STORAGE_CONNECTION_STRING", "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + Key + ";EndpointSuffix=core.windows.net")]
    [InlineData("az://checkpoints", "AZURE_STORAGE_CONNECTION_STRING", "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + Key + ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;")]
    [InlineData("az://checkpoints", "AZURE_STORAGE_CONNECTION_STRING", "UseDevelopmentStorage=true")]
    [InlineData("az://checkpoints/p", "AZURE_STORAGE_KEY", Key)]
    [InlineData("https://acct.blob.core.windows.net/checkpoints/p", "AZURE_STORAGE_SAS_TOKEN", "sv=1&sig=abc")]
    [InlineData("https://acct.blob.core.windows.net/checkpoints/p?sv=1&sig=abc", "UNUSED", "")]
    [InlineData("https://acct.blob.core.windows.net/checkpoints/p", "UNUSED", "")]
    public void TheContainerUrlKnownWithoutTheSdkIsTheSdks(string location, string variable, string value)
    {
        var credentials = For(location, Env((variable, value), ("AZURE_STORAGE_ACCOUNT", "acct")));
        Assert.Equal(credentials.CreateClient(new StorageOptions()).Uri, credentials.ContainerUri);
    }
}
