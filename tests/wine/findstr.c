/*
 * A stand-in for findstr.exe under wine, whose own findstr is a stub in
 * wine 8.0 (it prints nothing and exits 0).  It knows just what the hosts
 * command of mixcompose uses: findstr /V /R /C:PATTERN FILE, where the
 * pattern's only metacharacter is '.' (any character).  It prints the
 * lines that do not match, line ends as they are, and exits as findstr
 * does: 0 if it printed a line, 1 if none, 2 if the file cannot be read.
 * Built with mingw for the wine prefix of scripts/wine-hosts.sh only;
 * never shipped.
 */
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <string.h>

static int matches_at(const char *s, const char *p)
{
	for (; *p; s++, p++)
		if (!*s || (*p != '.' && *p != *s))
			return 0;
	return 1;
}

static int matches(const char *line, const char *p)
{
	for (const char *s = line; *s; s++)
		if (matches_at(s, p))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *pat = NULL, *file = NULL;
	char line[8192];
	int invert = 0, printed = 0;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "/V"))
			invert = 1;
		else if (!strncmp(argv[i], "/C:", 3))
			pat = argv[i] + 3;
		else if (argv[i][0] != '/')
			file = argv[i];
	}
	if (!pat || !file || !(f = fopen(file, "rb")))
		return 2;
	_setmode(_fileno(stdout), _O_BINARY); /* the line ends as they are */
	while (fgets(line, sizeof(line), f))
		if (matches(line, pat) != invert) {
			fputs(line, stdout);
			printed = 1;
		}
	fclose(f);
	return printed ? 0 : 1;
}
