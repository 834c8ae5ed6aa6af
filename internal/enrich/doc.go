// Package enrich adds to raw Falcon (FDR) events the fields that LogScale's
// Falcon integration shows and detections read, joining telemetry with the
// aidmaster and userinfo lookups and with process-start events. A field the
// raw event already has is never overwritten; "none", "-" and empty lookup
// values count as missing.
//
//	Field                      Added to                 Source
//	ComputerName, AgentVersion,  any event with aid     newest aidmaster record for the aid
//	 Version, ProductType,                              (by Time, else _time)
//	 MachineDomain, OU, SiteName,
//	 SystemManufacturer,
//	 SystemProductName,
//	 event_platform
//	FileName, FilePath         (Synthetic)ProcessRollup2  ImageFileName split; FilePath keeps the
//	                                                    trailing separator; image "/" → argv0
//	UserName                   (Synthetic)ProcessRollup2  UserSid / AuthenticationId resolved on
//	                           and events with those     the same aid (identity/logon events),
//	                                                    else userinfo, else well-known SIDs
//	UserName                   context events           the acting process's user (as above)
//	ContextProcessName         context events           base name of the acting process image,
//	                                                    else ContextBaseFileName
//	ContextCommandLine         context events           acting process's CommandLine (tiercel)
//	ContextParentBaseFileName  context events           acting process's ParentBaseFileName, else
//	                                                    its parent's image name (tiercel)
//
// A context event is any event with ContextProcessId (DNS, network, file,
// EndOfProcess...); its acting process is the (Synthetic)ProcessRollup2 with
// that TargetProcessId on the same aid.
//
// File mode (New): FDR delivery is unordered, so every event must be
// learned from before any Apply: Learn over every event (lines lacking all
// LearnPrefilter literals may be skipped, and only LearnNeeds decoded),
// then Apply. The runner does both in one read of the input, holding the
// candidate events meanwhile (SetLearnPending). The result does
// not depend on input order. Past Options.ProcessMemory the table spills its
// older processes to a temporary file and reads them back on lookup, with
// the same results (procspill.go), and past an eighth of it the user
// directory spills its per-host observations (userspill.go); Close
// removes the files. Stream mode (NewStream): Apply learns as it goes;
// the process table is bounded (least recently used processes are evicted,
// ended ones expire after a grace period). A Holder (NewHolder) in front of
// the workers learns in input order and holds context events that arrive
// before their process, within bounds. Options.Reads limits what is stored
// per process to what the queries read. Linux and Mac users are resolved by
// UID from events of the same sensor that carry UID and UserName.
//
// Learn tells records apart by their fields: aidmaster records have aid and
// ComputerName and no event_simpleName; userinfo records have
// UserSid_readable. Learn and Apply are safe for concurrent use.
package enrich
