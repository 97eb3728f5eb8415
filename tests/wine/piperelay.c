/*
 * A test relay: serves the named pipe \\.\pipe\NAME and forwards every
 * client to 127.0.0.1:PORT, the way dockerd's own pipe would carry it to
 * the engine.  It is a Windows program (mingw) because wine's named pipes
 * live in its wineserver: only programs of the same wine see them.
 *
 *   piperelay.exe NAME PORT
 *
 * The pipe is a message pipe like dockerd's (go-winio): a client's empty
 * message is its end of input, and becomes a half-close of the TCP side.
 * Each client gets a thread; the relay runs until it is killed.
 */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

#define BUF 65536

struct conn {
	HANDLE pipe;
	SOCKET s;
};

/* TCP -> pipe, until the daemon closes its side. */
static DWORD WINAPI down(void *ud)
{
	struct conn *c = ud;
	char *buf = malloc(BUF);
	OVERLAPPED ov = {0};
	DWORD done;
	int n;

	ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
	while ((n = recv(c->s, buf, BUF, 0)) > 0) {
		ResetEvent(ov.hEvent);
		if (!WriteFile(c->pipe, buf, (DWORD)n, NULL, &ov) &&
		    GetLastError() != ERROR_IO_PENDING)
			break;
		if (!GetOverlappedResult(c->pipe, &ov, &done, TRUE))
			break;
	}
	/* The daemon is done: the client reads the end of the pipe. */
	FlushFileBuffers(c->pipe);
	DisconnectNamedPipe(c->pipe);
	CloseHandle(ov.hEvent);
	free(buf);
	return 0;
}

/* Pipe -> TCP; an empty message is the client's end of input. */
static DWORD WINAPI serve(void *ud)
{
	struct conn *c = ud;
	char *buf = malloc(BUF);
	OVERLAPPED ov = {0};
	HANDLE t;
	DWORD got;

	ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
	t = CreateThread(NULL, 0, down, c, 0, NULL);
	for (;;) {
		ResetEvent(ov.hEvent);
		if (!ReadFile(c->pipe, buf, BUF, NULL, &ov) &&
		    GetLastError() != ERROR_IO_PENDING &&
		    GetLastError() != ERROR_MORE_DATA)
			break;
		if (!GetOverlappedResult(c->pipe, &ov, &got, TRUE) &&
		    GetLastError() != ERROR_MORE_DATA)
			break;
		if (!got) {
			shutdown(c->s, SD_SEND);
			continue;
		}
		if (send(c->s, buf, (int)got, 0) != (int)got)
			break;
	}
	shutdown(c->s, SD_BOTH);
	WaitForSingleObject(t, INFINITE);
	closesocket(c->s);
	CloseHandle(c->pipe);
	CloseHandle(ov.hEvent);
	free(buf);
	free(c);
	return 0;
}

/* Waits for a client on the (overlapped) pipe instance. */
static BOOL wait_client(HANDLE pipe)
{
	OVERLAPPED ov = {0};
	DWORD done;
	BOOL ok;

	ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
	ok = ConnectNamedPipe(pipe, &ov);
	if (!ok && GetLastError() == ERROR_IO_PENDING)
		ok = GetOverlappedResult(pipe, &ov, &done, TRUE);
	else if (!ok)
		ok = GetLastError() == ERROR_PIPE_CONNECTED;
	CloseHandle(ov.hEvent);
	return ok;
}

int main(int argc, char **argv)
{
	char name[256];
	struct sockaddr_in to = {0};
	WSADATA wsa;

	if (argc != 3) {
		fprintf(stderr, "usage: piperelay NAME PORT\n");
		return 2;
	}
	WSAStartup(MAKEWORD(2, 2), &wsa);
	snprintf(name, sizeof(name), "\\\\.\\pipe\\%s", argv[1]);
	to.sin_family = AF_INET;
	to.sin_port = htons((u_short)atoi(argv[2]));
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (;;) {
		struct conn *c = calloc(1, sizeof(*c));
		HANDLE t;

		c->pipe = CreateNamedPipeA(
			name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
			PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT,
			PIPE_UNLIMITED_INSTANCES, BUF, BUF, 0, NULL);
		if (c->pipe == INVALID_HANDLE_VALUE) {
			fprintf(stderr, "piperelay: cannot create %s: %lu\n",
				name, (unsigned long)GetLastError());
			return 1;
		}
		if (!wait_client(c->pipe)) {
			CloseHandle(c->pipe);
			free(c);
			continue;
		}
		c->s = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(c->s, (struct sockaddr *)&to, sizeof(to))) {
			fprintf(stderr, "piperelay: cannot reach port %s\n",
				argv[2]);
			closesocket(c->s);
			CloseHandle(c->pipe);
			free(c);
			continue;
		}
		t = CreateThread(NULL, 0, serve, c, 0, NULL);
		CloseHandle(t);
	}
}
