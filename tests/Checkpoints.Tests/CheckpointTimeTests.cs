using Daytona.Checkpoints;
using Daytona.Common;

namespace Checkpoints.Tests;

/// <summary>The instants PowerShell users type for a lookup by time, read in a given local zone.</summary>
public sealed class CheckpointTimeTests
{
    private static readonly TimeZoneInfo s_plus0530 = TimeZoneInfo.CreateCustomTimeZone("Test+05:30", TimeSpan.FromMinutes(330), "Test+05:30", "Test+05:30");

    [Theory]
    [InlineData("20250318T140338Z", "20250318T140338Z", "a checkpoint id (UTC)")]
    [InlineData(" 20250318T140338Z ", "20250318T140338Z", "a checkpoint id (UTC)")]
    [InlineData("2025-03-18", "20250317T183000Z", "local time (UTC+05:30)")]
    [InlineData("2025-03-18 14:03", "20250318T083300Z", "local time (UTC+05:30)")]
    [InlineData("2025-03-18 14:03:38", "20250318T083338Z", "local time (UTC+05:30)")]
    [InlineData("2025-03-18T14:03:38.999", "20250318T083338Z", "local time (UTC+05:30)")]
    [InlineData("03/18/2025 2:03 PM", "20250318T083300Z", "local time (UTC+05:30)")]
    [InlineData("18 March 2025", "20250317T183000Z", "local time (UTC+05:30)")]
    [InlineData("2025-03-18T14:03:38Z", "20250318T140338Z", "UTC")]
    [InlineData("2025-03-18T14:03Z", "20250318T140300Z", "UTC")]
    [InlineData("2025-03-18T14:03:38.999Z", "20250318T140338Z", "UTC")]
    [InlineData("2025-03-18t14:03:38z", "20250318T140338Z", "UTC")]
    [InlineData("2025-03-18 14:03:38 UTC", "20250318T140338Z", "UTC")]
    [InlineData("2025-03-18T14:03:38+01:00", "20250318T130338Z", "UTC+01:00")]
    [InlineData("2025-03-18T14:03:38-0500", "20250318T190338Z", "UTC-05:00")]
    public void EveryFormUsersTypeIsReadAndSaysHow(string text, string expectedId, string expectedReadAs)
    {
        var instant = CheckpointTime.ParseInstant(text, s_plus0530, out var readAs);

        Assert.Equal(DateTimeKind.Utc, instant.Kind);
        Assert.Equal(expectedId, CheckpointTime.ToId(instant));
        Assert.Equal(expectedReadAs, readAs);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2025-13-01")]
    [InlineData("20259928T092752Z")] // shaped as an id, but no such day: an id is read strictly
    [InlineData("20250318t140338z")] // ids are upper-case
    [InlineData("2025-03-18T25:00")]
    public void WhatIsNoInstantIsCheckpointTimeInvalidAndSaysWhatToWrite(string text)
    {
        var error = Assert.Throws<DaytonaException>(() => CheckpointTime.ParseInstant(text, s_plus0530, out _));

        Assert.Equal(CheckpointErrors.TimeInvalid, error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(text.Trim(), error.Message, StringComparison.Ordinal);
        Assert.Contains("20250318T140338Z", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALocalTimeTheClocksSkipIsRefusedWithTheReason()
    {
        TimeZoneInfo berlin;
        try
        {
            berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        }
        catch (TimeZoneNotFoundException)
        {
            return; // no time zone database on this machine; the fixed-offset cases above still run
        }

        var error = Assert.Throws<DaytonaException>(() => CheckpointTime.ParseInstant("2025-03-30 02:30", berlin, out _));
        Assert.Equal(CheckpointErrors.TimeInvalid, error.ErrorId);
        Assert.Contains("daylight saving", error.Message, StringComparison.Ordinal);

        var summer = CheckpointTime.ParseInstant("2025-07-01 12:00", berlin, out var readAs);
        Assert.Equal("20250701T100000Z", CheckpointTime.ToId(summer));
        Assert.Equal("local time (UTC+02:00)", readAs);
    }
}
