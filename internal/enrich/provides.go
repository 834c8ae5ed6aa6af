package enrich

// Provides lists every field Apply may add, so a runner can tell which query
// literals are safe to test on raw lines (fields not listed come only from
// the raw event).
func (e *Enricher) Provides() []string {
	return append([]string(nil), addedNames[:]...)
}

// Streaming reports that Apply learns (stream mode without a Holder), so
// the runner must pass it the lines that teach (LearnPrefilter) even when
// no query wants them.
func (e *Enricher) Streaming() bool { return e.stream && !e.sequenced.Load() }

// Sources lists the raw fields Apply derives field from: an event that has
// none of them never gets field. Nil means field is not one Apply adds.
func Sources(field string) []string {
	switch field {
	case FieldUserName:
		return []string{fUserSid, fAuthID, fUID, fContextProcessId}
	case FieldContextProcessName:
		return []string{fContextProcessId, "ContextBaseFileName"}
	case FieldContextCommandLine, FieldContextParentBaseFileName, FieldContextImageFileName:
		return []string{fContextProcessId}
	case FieldParentCommandLine, FieldParentImageFileName:
		return []string{fParentProcessId}
	case FieldDestinationHostname:
		return []string{fRemoteAddressIP4}
	case FieldFileName, FieldFilePath:
		return []string{fImageFileName}
	}
	for _, h := range hostFields {
		if h == field {
			return []string{fAid}
		}
	}
	return nil
}

// InlineSource is a raw field of an event that the value Apply gives one
// of its fields may come from, when no record learned elsewhere (process,
// host, user, DNS answer) supplies it: TextCarriers covers those.
type InlineSource struct {
	Field string
	Whole bool // the value is the raw field's whole value, not a part of it
}

// InlineSources lists them for field: the field itself (Apply never
// overwrites one an event has), and the raw field it is copied or cut
// from. Nil for a field Apply does not add.
func InlineSources(field string) []InlineSource {
	own := InlineSource{Field: field, Whole: true}
	switch field {
	case FieldContextProcessName:
		return []InlineSource{own, {Field: "ContextBaseFileName", Whole: true}}
	case FieldFileName, FieldFilePath:
		// cut from the image path, or from argv0 for "/" images
		return []InlineSource{own, {Field: fImageFileName}, {Field: fCommandLine}}
	}
	if Sources(field) == nil {
		return nil
	}
	return []InlineSource{own}
}
