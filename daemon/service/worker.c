/*
 * worker.c - one thread for blocking jobs (see worker.h). Finished jobs
 * go on a list and a byte down a pipe wakes the loop, which calls their
 * done functions: libevent is never entered from the thread, so it needs
 * no locking of its own.
 */
#include "service/worker.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/base/util.h"

struct job {
	worker_run_fn *run;
	worker_done_fn *done;
	void *arg;
	struct job *next;
};

/* A list with its tail, so that jobs keep their order. */
struct queue {
	struct job *head, **tail;
};

struct worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_cond_t idle; /* signalled when todo empties */
	struct queue todo, done; /* under lock */
	int running; /* under lock: a job is running */
	int stopping; /* under lock */
	int pipe[2];
	struct event *ev;
};

static void
queue_push(struct queue *q, struct job *j)
{
	j->next = NULL;
	*q->tail = j;
	q->tail = &j->next;
}

static struct job *
queue_take_all(struct queue *q)
{
	struct job *all = q->head;

	q->head = NULL;
	q->tail = &q->head;
	return all;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct job *j;
	char byte = 1;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->todo.head == NULL && !w->stopping)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->stopping)
			break;
		j = w->todo.head;
		w->todo.head = j->next;
		if (w->todo.head == NULL)
			w->todo.tail = &w->todo.head;
		w->running = 1;
		pthread_mutex_unlock(&w->lock);
		j->run(j->arg);
		pthread_mutex_lock(&w->lock);
		w->running = 0;
		if (w->todo.head == NULL)
			pthread_cond_broadcast(&w->idle);
		queue_push(&w->done, j);
		/* A full pipe already holds a wake-up. */
		if (write(w->pipe[1], &byte, 1) < 0 && errno != EAGAIN) {
			/* The loop can no longer be told: nothing more runs,
			 * and nobody waits for it to. */
			w->stopping = 1;
			pthread_cond_broadcast(&w->idle);
			break;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void
finish(struct job *j, int cancelled)
{
	while (j != NULL) {
		struct job *next = j->next;

		j->done(j->arg, cancelled);
		free(j);
		j = next;
	}
}

static void
on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	char bytes[64];
	struct job *done;

	(void)what;
	while (read(fd, bytes, sizeof bytes) > 0)
		;
	pthread_mutex_lock(&w->lock);
	done = queue_take_all(&w->done);
	pthread_mutex_unlock(&w->lock);
	finish(done, 0);
}

/* What worker_new made, once the thread is gone (or never was). */
static void
worker_release(struct worker *w)
{
	if (w->ev != NULL)
		event_free(w->ev);
	close(w->pipe[0]);
	close(w->pipe[1]);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	pthread_cond_destroy(&w->idle);
	free(w);
}

struct worker *
worker_new(struct event_base *base)
{
	struct worker *w = xcalloc(1, sizeof *w);
	int err;

	w->todo.tail = &w->todo.head;
	w->done.tail = &w->done.head;
	if (pipe2(w->pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	pthread_cond_init(&w->idle, NULL);
	w->ev = event_new(base, w->pipe[0], EV_READ | EV_PERSIST, on_wake, w);
	/* pthread_create returns its error rather than set errno: EAGAIN
	 * when a limit on threads is reached, which is what to tell. */
	err = w->ev == NULL || event_add(w->ev, NULL) != 0
	    ? ENOMEM
	    : pthread_create(&w->thread, NULL, worker_main, w);
	if (err != 0) {
		worker_release(w);
		errno = err;
		return NULL;
	}
	return w;
}

void
worker_submit(
    struct worker *w, worker_run_fn *run, worker_done_fn *done, void *arg)
{
	struct job *j = xcalloc(1, sizeof *j);

	j->run = run;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&w->lock);
	queue_push(&w->todo, j);
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void
worker_wait(struct worker *w)
{
	pthread_mutex_lock(&w->lock);
	while ((w->todo.head != NULL || w->running) && !w->stopping)
		pthread_cond_wait(&w->idle, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

void
worker_free(struct worker *w)
{
	struct job *done, *cancelled;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	/* Finished jobs are reported as such, the others as cancelled. */
	done = queue_take_all(&w->done);
	cancelled = queue_take_all(&w->todo);
	finish(done, 0);
	finish(cancelled, 1);
	worker_release(w);
}
