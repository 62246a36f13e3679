/*
 * openloop: send HTTP/1.1 GET requests at a constant rate and report the
 * latency percentiles, as wrk2 does (a benchmark tool of make bench).
 *
 *   openloop HOST PORT PATH RATE SECONDS CONNECTIONS
 *
 * Request i is due at start + i / RATE, whatever happened to the ones before
 * it (an open loop). It goes out on the first idle keep-alive connection;
 * when none is idle it waits, and its latency counts from when it was due,
 * not from when it was sent: a server that stalls pays for every request
 * that stalled behind it (no "coordinated omission").
 *
 * Prints one JSON object: the rate asked for, the requests due, answered
 * (2xx-4xx), failed (5xx, a broken connection, no answer 5 s after the end)
 * and never sent (the connections were all busy until the end), the rate
 * answered, and the latency percentiles in milliseconds.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define BUF 65536
#define DRAIN_NS 5000000000LL

struct conn {
    int fd;
    int busy;
    int64_t due;     /* when the request in flight was due (ns) */
    size_t len;      /* bytes of the response read so far */
    char buf[BUF];
};

static struct sockaddr_in addr;
static char request[1024];
static size_t request_len;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int open_conn(int ep, struct conn *c)
{
    int one = 1;
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0)
        return -1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    c->busy = 0;
    c->len = 0;
    return 0;
}

static void close_conn(int ep, struct conn *c)
{
    if (c->fd >= 0) {
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    c->fd = -1;
    c->busy = 0;
    c->len = 0;
}

/* 0: incomplete; 1: complete (status in *status, keep-alive in *keep); -1: malformed. */
static int parse(struct conn *c, int *status, int *keep)
{
    char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
    if (!end)
        return c->len >= BUF ? -1 : 0;
    size_t head = (size_t)(end - c->buf) + 4;
    if (c->len < 12 || strncmp(c->buf, "HTTP/1.", 7) != 0)
        return -1;
    *status = atoi(c->buf + 9);
    *keep = 1;
    long length = -1;
    int chunked = 0;
    for (char *line = c->buf; line < end;) {
        char *eol = memmem(line, (size_t)(end - line) + 2, "\r\n", 2);
        if (!eol)
            break;
        if (strncasecmp(line, "Content-Length:", 15) == 0)
            length = atol(line + 15);
        else if (strncasecmp(line, "Transfer-Encoding:", 18) == 0 && memmem(line, (size_t)(eol - line), "chunked", 7))
            chunked = 1;
        else if (strncasecmp(line, "Connection:", 11) == 0 && memmem(line, (size_t)(eol - line), "close", 5))
            *keep = 0;
        line = eol + 2;
    }
    if (chunked)
        return memmem(c->buf + head, c->len - head, "0\r\n\r\n", 5) ? 1 : (c->len >= BUF ? -1 : 0);
    if (length < 0)
        return -1;
    if (head + (size_t)length > BUF)
        return -1;
    return c->len >= head + (size_t)length ? 1 : 0;
}

static int cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double pct(const int64_t *lat, long n, double p)
{
    if (n == 0)
        return 0;
    long i = (long)(p / 100.0 * (double)n);
    if (i >= n)
        i = n - 1;
    return (double)lat[i] / 1e6;
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: %s HOST PORT PATH RATE SECONDS CONNECTIONS\n", argv[0]);
        return 2;
    }
    const char *host = argv[1];
    int port = atoi(argv[2]);
    const char *path = argv[3];
    double rate = atof(argv[4]);
    double seconds = atof(argv[5]);
    int nconn = atoi(argv[6]);
    if (rate <= 0 || seconds <= 0 || nconn <= 0 || port <= 0) {
        fprintf(stderr, "openloop: RATE, SECONDS, CONNECTIONS and PORT must be positive\n");
        return 2;
    }
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "openloop: HOST must be an IPv4 address, got %s\n", host);
        return 2;
    }
    request_len = (size_t)snprintf(request, sizeof request,
                                   "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: openloop\r\n\r\n", path, host);

    long total = (long)(rate * seconds);
    int64_t interval = (int64_t)(1e9 / rate);
    int64_t *lat = calloc((size_t)total, sizeof *lat);
    struct conn *conns = calloc((size_t)nconn, sizeof *conns);
    int ep = epoll_create1(0);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    if (!lat || !conns || ep < 0 || tfd < 0) {
        perror("openloop");
        return 1;
    }
    struct epoll_event tev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &tev);
    for (int i = 0; i < nconn; i++)
        if (open_conn(ep, &conns[i]) < 0) {
            fprintf(stderr, "openloop: cannot connect to %s:%d: %s\n", host, port, strerror(errno));
            return 1;
        }

    long next = 0, answered = 0, failed = 0, in_flight = 0;
    int64_t start = now_ns() + 10000000LL;
    int64_t stop = start + (int64_t)(seconds * 1e9);
    struct epoll_event events[256];
    for (;;) {
        int64_t now = now_ns();
        /* Send every request that is due, while a connection is idle. */
        for (int i = 0; i < nconn && next < total && start + next * interval <= now; i++) {
            struct conn *c = &conns[i];
            if (c->busy)
                continue;
            if (c->fd < 0 && open_conn(ep, c) < 0) {
                failed++;
                next++;
                continue;
            }
            if (send(c->fd, request, request_len, MSG_NOSIGNAL) != (ssize_t)request_len) {
                close_conn(ep, c);
                failed++;
                next++;
                continue;
            }
            c->busy = 1;
            c->due = start + next * interval;
            c->len = 0;
            next++;
            in_flight++;
        }
        if ((next >= total || now >= stop) && in_flight == 0)
            break;
        if (now >= stop + DRAIN_NS)
            break;
        /* Wake for the next request due (when a connection is idle to send
         * it), or for an answer. */
        int idle = 0;
        for (int i = 0; i < nconn && !idle; i++)
            idle = !conns[i].busy;
        if (idle && next < total && now < stop) {
            int64_t due = start + next * interval;
            struct itimerspec its = {0};
            its.it_value.tv_sec = due / 1000000000LL;
            its.it_value.tv_nsec = due % 1000000000LL;
            timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
        }
        int n = epoll_wait(ep, events, 256, 100);
        for (int k = 0; k < n; k++) {
            struct conn *c = events[k].data.ptr;
            if (!c) {
                uint64_t expirations;
                ssize_t r = read(tfd, &expirations, sizeof expirations);
                (void)r;
                continue;
            }
            ssize_t r = recv(c->fd, c->buf + c->len, BUF - c->len, 0);
            if (r <= 0) {
                if (r < 0 && (errno == EAGAIN || errno == EINTR))
                    continue;
                if (c->busy) {
                    failed++;
                    in_flight--;
                }
                close_conn(ep, c);
                continue;
            }
            c->len += (size_t)r;
            int status = 0, keep = 1;
            int done = parse(c, &status, &keep);
            if (done == 0)
                continue;
            if (c->busy) {
                in_flight--;
                if (done == 1 && status >= 200 && status < 500)
                    lat[answered++] = now_ns() - c->due;
                else
                    failed++;
            }
            c->busy = 0;
            c->len = 0;
            if (done < 0 || !keep)
                close_conn(ep, c);
        }
        /* Stop sending at the end of the run; what was never sent is counted apart. */
        if (now_ns() >= stop && next < total)
            total = next;
    }
    failed += in_flight;
    int64_t elapsed = now_ns() - start;
    long due = (long)(rate * seconds);
    qsort(lat, (size_t)answered, sizeof *lat, cmp);
    printf("{\"rate\": %.0f, \"seconds\": %.1f, \"connections\": %d, \"due\": %ld, \"answered\": %ld, "
           "\"failed\": %ld, \"unsent\": %ld, \"rps\": %.1f, \"p50_ms\": %.3f, \"p90_ms\": %.3f, "
           "\"p99_ms\": %.3f, \"p999_ms\": %.3f, \"max_ms\": %.3f}\n",
           rate, seconds, nconn, due, answered, failed, due - next, (double)answered / ((double)elapsed / 1e9),
           pct(lat, answered, 50), pct(lat, answered, 90), pct(lat, answered, 99), pct(lat, answered, 99.9),
           answered ? (double)lat[answered - 1] / 1e6 : 0.0);
    return 0;
}
