// Directory.Build.targets drops System.Net.Http from implicit usings for the server projects; this tool is all HttpClient.
global using System.Net.Http;
