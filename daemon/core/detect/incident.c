/*
 * incident.c - the names of an incident's kind, state and severity (see
 * incident.h): one table each, indexed by the enum.
 */
#include "core/detect/incident.h"

#include <stddef.h>

#include "core/base/util.h"

static const char *const kinds[] = {
	[INCIDENT_SPIKE] = "spike",
	[INCIDENT_SOURCE] = "source",
};

static const char *const states[] = {
	[INCIDENT_FIRING] = "firing",
	[INCIDENT_ESCALATED] = "escalated",
	[INCIDENT_RESOLVED] = "resolved",
};

static const char *const severities[] = {
	[SEVERITY_WARNING] = "warning",
	[SEVERITY_CRITICAL] = "critical",
};

/* An enum may hold any int: a value cast from elsewhere must not index
 * past the table. */
static const char *
name_of(const char *const *names, size_t n, int v)
{
	if (v < 0 || (size_t)v >= n)
		return "unknown";
	return names[v];
}

const char *
incident_kind_name(enum incident_kind k)
{
	return name_of(kinds, ARRAY_LEN(kinds), (int)k);
}

const char *
incident_state_name(enum incident_state s)
{
	return name_of(states, ARRAY_LEN(states), (int)s);
}

const char *
incident_severity_name(enum incident_severity s)
{
	return name_of(severities, ARRAY_LEN(severities), (int)s);
}
