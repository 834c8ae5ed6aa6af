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
