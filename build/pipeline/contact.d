build/pipeline/contact.o: pipeline/contact.c pipeline/contact.h \
 pipeline/buf.h pipeline/status.h
pipeline/contact.h:
pipeline/buf.h:
pipeline/status.h:
