build/connectors/registry.o: connectors/registry.c connectors/connector.h \
 pipeline/buf.h pipeline/status.h
connectors/connector.h:
pipeline/buf.h:
pipeline/status.h:
