using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using System.Xml.Linq;

namespace NetFramework.Smoke
{
    /// <summary>Where things are, and the loader's resolver type (reached by reflection, as PowerShell reaches it).</summary>
    internal sealed class SuiteContext
    {
        public SuiteContext(string repoRoot, string module, Type resolver)
        {
            RepoRoot = repoRoot;
            Module = module;
            Resolver = resolver;
        }

        public string RepoRoot { get; }

        public string Module { get; }

        public string Dependencies => Path.Combine(Module, "Dependencies");

        public string Shared => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

        public Type Resolver { get; }

        /// <summary>How many requests the resolver answered with a file of Dependencies/.</summary>
        public int Answered => (int)Resolver.GetProperty("AnsweredCount")!.GetValue(null)!;

        /// <summary>What the resolver answered with another version than asked, or refused (its own record).</summary>
        public IReadOnlyList<string> Mismatches =>
            ((IEnumerable)Resolver.GetProperty("Mismatches")!.GetValue(null)!).Cast<object>().Select(b => b.ToString()!).ToList();
    }

    /// <summary>One scenario: a name and a body that throws on failure and returns what it checked.</summary>
    internal sealed class Scenario
    {
        public Scenario(string name, Func<Task<string>> body)
        {
            Name = name;
            Body = body;
        }

        public string Name { get; }

        public Func<Task<string>> Body { get; }
    }

    /// <summary>Runs the scenarios in order, prints one TAP-like line each and a count, and writes NUnit 2.5 XML.</summary>
    internal static class Suite
    {
        public static int Run(SuiteContext context, string? resultsPath)
        {
            Console.WriteLine($"NET Framework smoke suite on {RuntimeInformation.FrameworkDescription} ({Environment.Version}, {RuntimeInformation.OSDescription.Trim()})");
            Console.WriteLine($"  module {context.Module}: loaded by Daytona.Snapshots.Loader (LoadFrom), engine from Dependencies/, no binding redirects");
            var total = Stopwatch.StartNew();
            var outcomes = new List<(string Name, bool? Passed, string Detail, TimeSpan Time)>();
            using (var harness = new Harness(context))
            {
                foreach (var scenario in Scenarios.All(context, harness))
                {
                    var watch = Stopwatch.StartNew();
                    string detail;
                    bool? passed;
                    try
                    {
                        detail = scenario.Body().GetAwaiter().GetResult();
                        passed = true;
                    }
                    catch (SmokeSkip skip)
                    {
                        detail = skip.Message;
                        passed = null;
                    }
                    catch (Exception e)
                    {
                        detail = Describe(e);
                        passed = false;
                    }

                    outcomes.Add((scenario.Name, passed, detail, watch.Elapsed));
                    var status = passed switch { true => "ok", false => "not ok", null => "ok" };
                    Console.WriteLine($"{status} {outcomes.Count} - {scenario.Name}{(passed == null ? " # SKIP" : string.Empty)} ({watch.Elapsed.TotalSeconds:0.0} s)");
                    foreach (var line in detail.Split('\n').Where(l => l.Trim().Length > 0))
                    {
                        Console.WriteLine("    " + line.TrimEnd());
                    }
                }
            }

            var mismatches = context.Mismatches;
            Console.WriteLine($"  resolver: answered {context.Answered} request(s) from Dependencies/; {mismatches.Count} answered with another version than asked, or refused" + (mismatches.Count == 0 ? " (Mono binds a mismatched version by itself; .NET Framework sends it to the resolver, whose answers the build's binding check and the loader's tests prove)" : ":"));
            foreach (var mismatch in mismatches)
            {
                Console.WriteLine("    " + mismatch);
            }

            var failed = outcomes.Count(o => o.Passed == false);
            var skipped = outcomes.Count(o => o.Passed == null);
            Console.WriteLine($"NET Framework smoke suite: {outcomes.Count} scenarios, {outcomes.Count - failed - skipped} passed, {failed} failed, {skipped} skipped ({total.Elapsed.TotalSeconds:0.0} s)");
            if (resultsPath != null)
            {
                WriteNUnit(resultsPath, outcomes);
            }

            return failed == 0 ? 0 : 1;
        }

        private static string Describe(Exception e)
        {
            while (e is AggregateException aggregate && aggregate.InnerExceptions.Count == 1)
            {
                e = aggregate.InnerExceptions[0];
            }

            if (e is TargetInvocationException { InnerException: { } inner })
            {
                e = inner;
            }

            return e is SmokeFailure ? e.Message : e.ToString();
        }

        private static void WriteNUnit(string path, List<(string Name, bool? Passed, string Detail, TimeSpan Time)> outcomes)
        {
            var failures = outcomes.Count(o => o.Passed == false);
            var cases = outcomes.Select(o =>
            {
                var element = new XElement("test-case",
                    new XAttribute("name", "NetFramework.Smoke." + o.Name),
                    new XAttribute("executed", o.Passed == null ? "False" : "True"),
                    new XAttribute("result", o.Passed switch { true => "Success", false => "Failure", null => "Ignored" }),
                    new XAttribute("time", o.Time.TotalSeconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)));
                if (o.Passed == false)
                {
                    element.Add(new XElement("failure", new XElement("message", new XCData(o.Detail))));
                }
                else if (o.Passed == null)
                {
                    element.Add(new XElement("reason", new XElement("message", new XCData(o.Detail))));
                }

                return element;
            });
            var document = new XDocument(new XElement("test-results",
                new XAttribute("name", "NetFramework.Smoke"),
                new XAttribute("total", outcomes.Count),
                new XAttribute("failures", failures),
                new XAttribute("not-run", outcomes.Count(o => o.Passed == null)),
                new XElement("test-suite",
                    new XAttribute("type", "Assembly"),
                    new XAttribute("name", "NetFramework.Smoke"),
                    new XAttribute("executed", "True"),
                    new XAttribute("result", failures == 0 ? "Success" : "Failure"),
                    new XElement("results", cases))));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            document.Save(path);
        }
    }

    /// <summary>A scenario cannot run here; the message says why.</summary>
    internal sealed class SmokeSkip : Exception
    {
        public SmokeSkip(string reason)
            : base(reason)
        {
        }
    }

    /// <summary>A scenario's check failed: the message says what was expected and what came.</summary>
    internal sealed class SmokeFailure : Exception
    {
        public SmokeFailure(string message)
            : base(message)
        {
        }

        public static void Check(bool condition, string message)
        {
            if (!condition)
            {
                throw new SmokeFailure(message);
            }
        }
    }
}
