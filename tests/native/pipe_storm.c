// Copyright 2026 the winipc authors. MIT license.
//
// pipe_storm: a connection storm in plain, blocking Win32 C, to tell a stall
// of Windows (or Wine) from a stall of winipc. The server is an ordinary
// thread-per-instance message-mode server; each client is a thread doing what
// the documentation says a client does: CreateFileW, and on ERROR_PIPE_BUSY
// WaitNamedPipeW, then again.
//
// Build (from the checkout):
//   x86_64-w64-mingw32-gcc -O2 -Wall -o build/pipe_storm.exe tests/native/pipe_storm.c
//
// Usage (NAME is a short pipe name, the full path is \\.\pipe\NAME):
//
//   pipe_storm.exe server NAME TOTAL INSTANCES
//     INSTANCES threads each keep one instance listening (create, connect,
//     read one message, reply "ack <message>", flush, close) until TOTAL
//     clients have been answered. Prints "ready" once the first instance
//     exists, "done TOTAL" at the end.
//
//   pipe_storm.exe client NAME N
//     Prints "ready", waits for stdin to close (the "go"), then starts N
//     threads at once; thread i connects (retrying for up to 10 s), sends
//     "<pid>:<i>" and expects "ack <pid>:<i>". Prints
//     {"ok":OK,"failed":FAILED,"ms":MS,"slowest":MS} and exits 0 if all
//     succeeded.

#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATH_CHARS 512

static WCHAR path[MAX_PATH_CHARS];
static volatile LONG remaining_to_serve;
static volatile LONG ok_count;
static volatile LONG failed_count;
static volatile LONG slowest_ms;
static LARGE_INTEGER frequency, started;

static double elapsed_ms(void) {
  LARGE_INTEGER now;
  QueryPerformanceCounter(&now);
  return (double)(now.QuadPart - started.QuadPart) * 1000.0 / (double)frequency.QuadPart;
}

static HANDLE create_instance(void) {
  return CreateNamedPipeW(path, PIPE_ACCESS_DUPLEX,
                          PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT,
                          PIPE_UNLIMITED_INSTANCES, 4096, 4096, 0, NULL);
}

static DWORD WINAPI serve(LPVOID first) {
  HANDLE pipe = (HANDLE)first;
  char message[256], reply[300];
  DWORD n, written;
  for (;;) {
    if (pipe == NULL) {
      if (InterlockedCompareExchange(&remaining_to_serve, 0, 0) <= 0) return 0;
      pipe = create_instance();
      if (pipe == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "error CreateNamedPipeW %lu\n", GetLastError());
        exit(1);
      }
    }
    if (!ConnectNamedPipe(pipe, NULL) && GetLastError() != ERROR_PIPE_CONNECTED) {
      fprintf(stderr, "error ConnectNamedPipe %lu\n", GetLastError());
      exit(1);
    }
    if (ReadFile(pipe, message, sizeof message - 1, &n, NULL)) {
      message[n] = 0;
      n = (DWORD)snprintf(reply, sizeof reply, "ack %s", message);
      WriteFile(pipe, reply, n, &written, NULL);
      FlushFileBuffers(pipe);
    }
    DisconnectNamedPipe(pipe);
    CloseHandle(pipe);
    pipe = NULL;
    InterlockedDecrement(&remaining_to_serve);
  }
}

static DWORD WINAPI client(LPVOID arg) {
  int i = (int)(INT_PTR)arg;
  char message[64], expected[80], reply[128];
  DWORD n, mode = PIPE_READMODE_MESSAGE;
  HANDLE pipe;
  double deadline = elapsed_ms() + 10000.0;
  for (;;) {
    pipe = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (pipe != INVALID_HANDLE_VALUE) break;
    DWORD error = GetLastError();
    double left = deadline - elapsed_ms();
    if (left <= 0 || (error != ERROR_PIPE_BUSY && error != ERROR_FILE_NOT_FOUND)) {
      InterlockedIncrement(&failed_count);
      return 1;
    }
    if (error == ERROR_PIPE_BUSY) WaitNamedPipeW(path, left < 100 ? (DWORD)left + 1 : 100);
    else Sleep(5);
  }
  SetNamedPipeHandleState(pipe, &mode, NULL, NULL);
  snprintf(message, sizeof message, "%lu:%d", GetCurrentProcessId(), i);
  snprintf(expected, sizeof expected, "ack %s", message);
  if (!TransactNamedPipe(pipe, message, (DWORD)strlen(message), reply, sizeof reply - 1, &n,
                         NULL)) {
    InterlockedIncrement(&failed_count);
    CloseHandle(pipe);
    return 1;
  }
  reply[n] = 0;
  CloseHandle(pipe);
  if (strcmp(reply, expected) != 0) {
    InterlockedIncrement(&failed_count);
    return 1;
  }
  LONG ms = (LONG)elapsed_ms();
  LONG seen;
  while ((seen = slowest_ms) < ms && InterlockedCompareExchange(&slowest_ms, ms, seen) != seen) {
  }
  InterlockedIncrement(&ok_count);
  return 0;
}

int main(void) {
  int argc;
  LPWSTR *argv = CommandLineToArgvW(GetCommandLineW(), &argc);
  setvbuf(stdout, NULL, _IONBF, 0);
  QueryPerformanceFrequency(&frequency);
  if (argc < 4) {
    fprintf(stderr, "usage: pipe_storm server NAME TOTAL INSTANCES | client NAME N\n");
    return 2;
  }
  _snwprintf(path, MAX_PATH_CHARS, L"\\\\.\\pipe\\%ls", argv[2]);
  if (wcscmp(argv[1], L"server") == 0 && argc >= 5) {
    int total = _wtoi(argv[3]), instances = _wtoi(argv[4]);
    HANDLE *threads = calloc((size_t)instances, sizeof(HANDLE));
    remaining_to_serve = total;
    for (int t = 0; t < instances; t++) {
      HANDLE pipe = create_instance();
      if (pipe == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "error CreateNamedPipeW %lu\n", GetLastError());
        return 1;
      }
      threads[t] = CreateThread(NULL, 0, serve, pipe, 0, NULL);
    }
    printf("ready\n");
    WaitForMultipleObjects((DWORD)instances, threads, TRUE, INFINITE);
    printf("done %d\n", total);
    return 0;
  }
  if (wcscmp(argv[1], L"client") == 0) {
    int count = _wtoi(argv[3]);
    HANDLE *threads = calloc((size_t)count, sizeof(HANDLE));
    char buffer[64];
    DWORD n;
    printf("ready\n");
    while (ReadFile(GetStdHandle(STD_INPUT_HANDLE), buffer, sizeof buffer, &n, NULL) && n > 0) {
    }
    QueryPerformanceCounter(&started);
    for (int i = 0; i < count; i++) {
      threads[i] = CreateThread(NULL, 0, client, (LPVOID)(INT_PTR)i, 0, NULL);
    }
    for (int i = 0; i < count; i += MAXIMUM_WAIT_OBJECTS) {
      int chunk = count - i < MAXIMUM_WAIT_OBJECTS ? count - i : MAXIMUM_WAIT_OBJECTS;
      WaitForMultipleObjects((DWORD)chunk, threads + i, TRUE, INFINITE);
    }
    printf("{\"ok\":%ld,\"failed\":%ld,\"ms\":%ld,\"slowest\":%ld}\n", ok_count, failed_count,
           (long)elapsed_ms(), slowest_ms);
    return failed_count == 0 ? 0 : 1;
  }
  fprintf(stderr, "unknown command\n");
  return 2;
}
