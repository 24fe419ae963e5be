/* Dates and timestamps typed into forms, the CLI and CSV files: real calendar dates,
 * and timestamps that always say which offset they are in. */
#include "check.h"
#include "core/datetime.h"

static void dates(void)
{
	CHECK(date_valid("2027-05-03"), "an ordinary exam date is valid");
	CHECK(date_valid("2027-12-31") && date_valid("2027-01-01"), "the first and last days of a year are valid");
	CHECK(date_valid("2028-02-29"), "29 February 2028, a leap year, is valid");
	CHECK(!date_valid("2027-02-29"), "29 February 2027 is not a date");
	CHECK(date_valid("2000-02-29"), "29 February 2000 is valid: divisible by 400");
	CHECK(!date_valid("2100-02-29"), "29 February 2100 is not a date: divisible by 100 but not 400");
	CHECK(!date_valid("2027-04-31"), "31 April is not a date");
	CHECK(date_valid("2027-04-30"), "30 April is a date");
	CHECK(!date_valid("2027-13-01"), "month 13 is not a date");
	CHECK(!date_valid("2027-00-10"), "month 0 is not a date");
	CHECK(!date_valid("2027-05-00"), "day 0 is not a date");
	CHECK(!date_valid("2027-05-32"), "day 32 is not a date");
	CHECK(date_valid("1900-01-01") && date_valid("2199-12-31"), "the range 1900 to 2199 is accepted at both ends");
	CHECK(!date_valid("1899-12-31") && !date_valid("2200-01-01"), "years outside 1900 to 2199 are refused");

	CHECK(!date_valid("2027-5-3"), "a date without leading zeros is refused");
	CHECK(!date_valid("2027-05-3"), "a date one character short is refused");
	CHECK(!date_valid("2027-05-031"), "a date one character long is refused");
	CHECK(!date_valid("2027-05-03 "), "a date with a trailing space is refused");
	CHECK(!date_valid("02027-05-03"), "a five-digit year is refused");
	CHECK(!date_valid("2027/05/03"), "a date with slashes is refused");
	CHECK(!date_valid("03.05.2027"), "a European dotted date is refused");
	CHECK(!date_valid("2027-05-03T09:00Z"), "a timestamp is not a date");
	CHECK(!date_valid("2027-0a-03"), "a letter in the month is refused");
	CHECK(!date_valid("+027-05-03"), "a sign in the year is refused");
	CHECK(!date_valid(""), "an empty date is refused");
	CHECK(!date_valid(NULL), "no date at all is refused");
}

static void timestamps(void)
{
	CHECK(timestamp_valid("2027-05-03T09:00+02:00"), "a timestamp with a +02:00 offset is valid");
	CHECK(timestamp_valid("2027-05-03T07:00Z"), "a timestamp in UTC with Z is valid");
	CHECK(timestamp_valid("2027-05-03T09:00:30+02:00"), "seconds are allowed");
	CHECK(timestamp_valid("2027-05-03T09:00:30Z"), "seconds are allowed with Z");
	CHECK(timestamp_valid("2027-11-03T09:00-03:30"), "a negative half-hour offset is valid");
	CHECK(timestamp_valid("2027-05-03 09:00+02:00"), "a space instead of T is accepted");
	CHECK(timestamp_valid("2027-05-03T00:00Z") && timestamp_valid("2027-05-03T23:59:59Z"),
	    "midnight and one second before the next midnight are valid");
	CHECK(timestamp_valid("2027-05-03T09:00+14:00"), "the largest offset, +14:00, is valid");

	CHECK(!timestamp_valid("2027-05-03T09:00"), "a timestamp without an offset is refused: the hour would be ambiguous");
	CHECK(!timestamp_valid("2027-05-03T09:00:30"), "a timestamp with seconds but no offset is refused");
	CHECK(!timestamp_valid("2027-05-03"), "a bare date is not a timestamp");
	CHECK(!timestamp_valid("2027-05-03T24:00Z"), "24:00 is refused");
	CHECK(!timestamp_valid("2027-05-03T09:60Z"), "minute 60 is refused");
	CHECK(!timestamp_valid("2027-05-03T09:00:60Z"), "second 60 is refused");
	CHECK(!timestamp_valid("2027-05-03T9:00Z"), "an hour without its leading zero is refused");
	CHECK(!timestamp_valid("2027-02-29T09:00Z"), "a timestamp on 29 February 2027 is refused");
	CHECK(!timestamp_valid("2027-05-03T09:00+0200"), "an offset without its colon is refused");
	CHECK(!timestamp_valid("2027-05-03T09:00+02"), "an offset without minutes is refused");
	CHECK(!timestamp_valid("2027-05-03T09:00+15:00"), "an offset beyond +14:00 is refused");
	CHECK(!timestamp_valid("2027-05-03T09:00+02:60"), "offset minutes of 60 are refused");
	CHECK(!timestamp_valid("2027-05-03T09:00z"), "a lower-case z is refused");
	CHECK(!timestamp_valid("2027-05-03T09:00Z "), "a trailing space is refused");
	CHECK(!timestamp_valid("2027-05-03T09:00:Z"), "a colon without seconds is refused");
	CHECK(!timestamp_valid("2027-05-03T09:00ZZ"), "a doubled Z is refused");
	CHECK(!timestamp_valid("2027-05-03X09:00Z"), "a separator other than T or space is refused");
	CHECK(!timestamp_valid("2027-05-03T09:00+02:00:00"), "an offset with seconds is refused");
	CHECK(!timestamp_valid(""), "an empty timestamp is refused");
	CHECK(!timestamp_valid(NULL), "no timestamp at all is refused");
}

int main(void)
{
	dates();
	timestamps();
	CHECK_DONE();
}
