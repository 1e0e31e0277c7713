/*
 * incident.c - the names of an incident's kind, state and severity (see
 * incident.h): one table each, indexed by the enum.
 */
#include "core/detect/incident.h"

#include <stddef.h>
#include <string.h>

#include "core/base/util.h"

static const char *const kinds[] = {
	[INCIDENT_SPIKE] = "spike",
	[INCIDENT_SOURCE] = "source",
	[INCIDENT_SPREAD] = "spread",
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

static int
index_of(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

int
incident_kind_parse(const char *s, enum incident_kind *out)
{
	int i = index_of(kinds, ARRAY_LEN(kinds), s);

	if (i >= 0)
		*out = (enum incident_kind)i;
	return i >= 0 ? 0 : -1;
}

int
incident_state_parse(const char *s, enum incident_state *out)
{
	int i = index_of(states, ARRAY_LEN(states), s);

	if (i >= 0)
		*out = (enum incident_state)i;
	return i >= 0 ? 0 : -1;
}

int
incident_severity_parse(const char *s, enum incident_severity *out)
{
	int i = index_of(severities, ARRAY_LEN(severities), s);

	if (i >= 0)
		*out = (enum incident_severity)i;
	return i >= 0 ? 0 : -1;
}
