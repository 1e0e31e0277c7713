/*
 * incident.h - what an incident is, in words the database and the
 * notifications share: its kind, the state it moved to and its severity.
 * The names are stored in SQL and sent in JSON, so they never change.
 */
#ifndef VIGIE_INCIDENT_H
#define VIGIE_INCIDENT_H

enum incident_kind {
	INCIDENT_SPIKE, /* a watch's negative mentions */
	INCIDENT_SOURCE, /* a source failing [poll] alert_after times */
	INCIDENT_SPREAD, /* a story of a watch taken up by many sites */
};

enum incident_state {
	INCIDENT_FIRING,
	INCIDENT_ESCALATED,
	INCIDENT_RESOLVED,
};

enum incident_severity {
	SEVERITY_WARNING,
	SEVERITY_CRITICAL,
};

/* "spike", "source", "spread"; "firing", "escalated", "resolved"; "warning",
 * "critical". A value outside the enum is "unknown". */
const char *incident_kind_name(enum incident_kind);
const char *incident_state_name(enum incident_state);
const char *incident_severity_name(enum incident_severity);

/* The value named s, as the names above: 0, or -1 when s is NULL or names
 * none (and *out is left alone). */
int incident_kind_parse(const char *s, enum incident_kind *out);
int incident_state_parse(const char *s, enum incident_state *out);
int incident_severity_parse(const char *s, enum incident_severity *out);

#endif
