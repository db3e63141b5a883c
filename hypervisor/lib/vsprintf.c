/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small vsnprintf: flags '-', '0', '#', width, precision (also '*'), length
 * modifiers hh/h/l/ll/z, conversions d i u x X o p s c %.  Output is always
 * NUL-terminated when size > 0; the return value is the length the full
 * output would have had, as in C99.
 */
#include <pvx/lib.h>

struct out {
    char *buf;
    size_t size, len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void put_padded(struct out *o, const char *s, size_t n, int width, bool left, char pad)
{
    int fill = width > (int)n ? width - (int)n : 0;

    if (!left && pad == '0' && n && (*s == '-') && fill) {
        put(o, *s++);
        n--;
    }
    if (!left)
        while (fill-- > 0)
            put(o, pad);
    while (n--)
        put(o, *s++);
    if (left)
        while (fill-- > 0)
            put(o, ' ');
}

static size_t format_number(char *tmp, uint64_t v, unsigned int base, bool upper, bool neg,
                            int precision)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char rev[24];
    size_t n = 0, len = 0;

    do {
        rev[n++] = digits[v % base];
        v /= base;
    } while (v);
    while ((int)n < precision && n < sizeof(rev))
        rev[n++] = '0';
    if (neg)
        tmp[len++] = '-';
    while (n)
        tmp[len++] = rev[--n];
    return len;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {buf, size, 0};

    for (; *fmt; fmt++) {
        bool left = false, alt = false;
        char pad = ' ';
        int width = 0, precision = -1, lng = 0;
        char tmp[32];
        size_t n;

        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        fmt++;
        for (;; fmt++) {
            if (*fmt == '-')
                left = true;
            else if (*fmt == '#')
                alt = true;
            else if (*fmt == '0')
                pad = '0';
            else
                break;
        }
        if (*fmt == '*') {
            width = va_arg(ap, int);
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                width = width * 10 + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            fmt++;
            precision = 0;
            if (*fmt == '*') {
                precision = va_arg(ap, int);
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    precision = precision * 10 + (*fmt++ - '0');
            }
        }
        for (;; fmt++) {
            if (*fmt == 'l' || *fmt == 'z')
                lng = 2;
            else if (*fmt == 'h')
                lng = lng == -1 ? -2 : -1; /* h = short, hh = char */
            else
                break;
        }
        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t v = lng == 2 ? va_arg(ap, int64_t) : va_arg(ap, int);
            if (lng == -1)
                v = (short)v;
            else if (lng == -2)
                v = (signed char)v;
            uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
            n = format_number(tmp, mag, 10, false, v < 0, precision);
            put_padded(&o, tmp, n, width, left, pad);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            uint64_t v = lng == 2 ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
            if (lng == -1)
                v = (unsigned short)v;
            else if (lng == -2)
                v = (unsigned char)v;
            unsigned int base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;
            size_t prefix = 0;

            if (alt && base == 16 && v) {
                tmp[0] = '0';
                tmp[1] = *fmt == 'X' ? 'X' : 'x';
                prefix = 2;
            }
            n = prefix + format_number(tmp + prefix, v, base, *fmt == 'X', false, precision);
            put_padded(&o, tmp, n, width, left, pad);
            break;
        }
        case 'p': {
            uint64_t v = (uint64_t)(uintptr_t)va_arg(ap, void *);
            tmp[0] = '0';
            tmp[1] = 'x';
            n = 2 + format_number(tmp + 2, v, 16, false, false, 16);
            put_padded(&o, tmp, n, width, left, ' ');
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            n = precision >= 0 ? strnlen(s, (size_t)precision) : strlen(s);
            put_padded(&o, s, n, width, left, ' ');
            break;
        }
        case 'c':
            tmp[0] = (char)va_arg(ap, int);
            put_padded(&o, tmp, 1, width, left, ' ');
            break;
        case '%':
            put(&o, '%');
            break;
        case '\0':
            fmt--;
            break;
        default:
            put(&o, '%');
            put(&o, *fmt);
            break;
        }
    }
    if (o.size)
        o.buf[o.len < o.size ? o.len : o.size - 1] = '\0';
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
