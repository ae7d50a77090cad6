/* registry.c — the one list of connectors, and lookup by name. */
#include "connectors/connector.h"

#include <string.h>

extern const struct connector csv_connector;
extern const struct connector dbf_connector;
extern const struct connector goldmine_connector;
extern const struct connector http_connector;
extern const struct connector siebel_xml_connector;
extern const struct connector vcard_connector;

const struct connector *const connector_registry[] = {
    &csv_connector,
    &dbf_connector,
    &goldmine_connector,
    &http_connector,
    &siebel_xml_connector,
    &vcard_connector,
    NULL
};

const struct connector *connector_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; connector_registry[i]; i++) {
        if (strcmp(connector_registry[i]->name, name) == 0)
            return connector_registry[i];
    }
    return NULL;
}
