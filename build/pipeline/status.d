build/pipeline/status.o: pipeline/status.c pipeline/status.h
pipeline/status.h:
