build/pipeline/config.o: pipeline/config.c pipeline/config.h \
 pipeline/status.h
pipeline/config.h:
pipeline/status.h:
