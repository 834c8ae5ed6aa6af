package funcs

// Time and date functions.

// timePart is the shape shared by the time:* extractors.
func timePart(name, as, desc string) *Spec {
	return &Spec{Name: name, Kind: Transform, DefaultParam: "field", Value: true, Description: desc,
		Params: []Param{
			opt("field", Field, "@timestamp"),
			asParam(as),
			opt("timezone", String, ""),
			opt("timezoneField", Field, ""),
		}}
}

func init() {
	register(
		&Spec{Name: "formatTime", Kind: Transform, DefaultParam: "format", Value: true,
			Description: "Formats a timestamp with strftime-style directives.",
			Params: []Param{
				req("format", String),
				req("as", String), // `x := formatTime(...)` supplies it
				opt("field", Field, "@timestamp"),
				opt("timezone", String, "UTC"),
				opt("locale", String, ""),
				enum("unit", "auto", "auto", "milliseconds", "seconds"),
			}},
		&Spec{Name: "parseTimestamp", Kind: Transform, DefaultParam: "format",
			Description: "Parses a string into a timestamp.",
			Params: []Param{
				opt("format", String, "yyyy-MM-dd'T'HH:mm:ss[.SSSSSSSSS]XXXXX"),
				req("field", Field),
				asParam("@timestamp"),
				opt("timezone", String, ""),
				boolean("caseSensitive", "true"),
				boolean("addErrors", "true"),
				opt("timezoneAs", String, "@timezone"),
				opt("timezoneField", Field, ""),
			}},
		&Spec{Name: "findTimestamp", Kind: Transform,
			Description: "Finds and parses a timestamp, trying several formats.",
			Params: []Param{
				boolean("addErrors", "true"),
				asParam("@timestamp"),
				opt("field", Field, "@rawstring"),
				opt("timezone", String, ""),
				opt("timezoneAs", String, "@timezone"),
				opt("timezoneField", Field, ""),
			}},
		&Spec{Name: "now", Kind: Transform, DefaultParam: "as", Value: true,
			Description: "The current time in milliseconds since the epoch.",
			Params:      []Param{asParam("_now")}},
		&Spec{Name: "start", Kind: Transform, DefaultParam: "as", Value: true,
			Description: "Start of the search interval in milliseconds.",
			Params:      []Param{asParam("_start")}},
		&Spec{Name: "end", Kind: Transform, DefaultParam: "as", Value: true,
			Description: "End of the search interval in milliseconds.",
			Params:      []Param{asParam("_end")}},
		&Spec{Name: "duration", Kind: Transform, DefaultParam: "duration", Value: true,
			Description: "Milliseconds in a relative time such as 2d.",
			Params:      []Param{req("duration", Duration), asParam("_duration")}},
		&Spec{Name: "formatDuration", Kind: Transform, DefaultParam: "field", Value: true,
			Description: "Formats a duration as readable text.",
			Params: []Param{
				req("field", Field),
				asParam(""),
				enum("from", "ms", "ns", "us", "ms", "s", "m", "h", "d"),
				opt("precision", Number, "0"),
			}},
		&Spec{Name: "setTimeInterval", Kind: Preamble, DefaultParam: "start",
			Description: "Sets the query's time interval.",
			Params: []Param{
				req("start", String),
				opt("end", String, "now"),
				opt("timezone", String, ""),
			}},
		timePart("time:dayOfWeek", "_dayOfWeek", "Day of the week, 1 (Monday) to 7."),
		timePart("time:dayOfWeekName", "_dayOfWeekName", "English name of the day of the week."),
		timePart("time:dayOfMonth", "_dayOfMonth", "Day of the month."),
		timePart("time:dayOfYear", "_dayOfYear", "Day of the year."),
		timePart("time:hour", "_hour", "Hour of the day."),
		timePart("time:minute", "_minute", "Minute of the hour."),
		timePart("time:second", "_second", "Second of the minute."),
		timePart("time:millisecond", "_millisecond", "Millisecond of the second."),
		timePart("time:month", "_month", "Month of the year."),
		timePart("time:monthName", "_monthName", "English name of the month."),
		timePart("time:year", "_year", "Year."),
		timePart("time:weekOfYear", "_weekOfYear", "ISO week of the year."),
	)
}
