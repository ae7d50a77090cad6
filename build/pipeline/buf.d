build/pipeline/buf.o: pipeline/buf.c pipeline/buf.h pipeline/status.h
pipeline/buf.h:
pipeline/status.h:
