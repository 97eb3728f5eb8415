# Writes the file IN as a C string named schema_text into OUT.
file(READ ${IN} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
file(WRITE ${OUT} "/* Generated from schema/mixcompose.schema.json. */\n#include <stddef.h>\nextern const char schema_text[];\nextern const size_t schema_text_len;\nconst char schema_text[] = {${body} 0};\nconst size_t schema_text_len = sizeof(schema_text) - 1;\n")
