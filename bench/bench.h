/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the benches under bench/ share. */
#ifndef BPFGUARD_BENCH_H
#define BPFGUARD_BENCH_H

#include <stdlib.h>

static inline int bench_cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..n); sorts v in place (v[0] and v[n - 1] are then the
 * range). */
static inline double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), bench_cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
