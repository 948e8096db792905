/* A TCP connection that gives up: a host that drops the SYN (a board
 * switched off behind a switch, a firewall) would otherwise keep connect()
 * for the kernel's two minutes of retries, with no word to the user. */
#ifndef UB_TCP_CONNECT_H
#define UB_TCP_CONNECT_H

/* How long a connect waits for each address of the host by default. */
#define UB_TCP_CONNECT_MS 10000

/* Connects to host:port (a name or a numeric address, either family),
 * trying each address for at most timeout_ms.  Returns a connected,
 * blocking, close-on-exec descriptor, or -1 with *err the last address's
 * errno (ETIMEDOUT when it did not answer in time) and *gai getaddrinfo's
 * error when the name did not resolve (0 otherwise). */
int ub_tcp_connect(const char *host, const char *port, int timeout_ms, int *err, int *gai);

#endif
