/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xl.cfg lexer and parser.
 *
 * xl users see libxlutil's messages, and which error a bad file reports
 * (and on which line) falls out of how a flex scanner and a bison LALR(1)
 * parser behave.  So this file models both mechanisms rather than just the
 * language: the scanner picks the longest match and has flex's quirks at the
 * end of the input; the parser is the LALR automaton of xl's grammar, with
 * bison's default reductions (they decide the "expecting ..." lists), lazy
 * lookahead (it decides the order of messages) and error recovery (after an
 * error, the next three tokens must be shifted before another is reported).
 *
 * The grammar (rule numbers are used below):
 *   R_FILE        file: stmts
 *   R_FILE_LAST   file: stmts assignment           last statement, no terminator
 *   R_STMTS_NONE  stmts: <empty>
 *   R_STMTS_MORE  stmts: stmts stmt
 *   R_STMT_ASSIGN stmt: assignment endstmt
 *   R_STMT_END    stmt: endstmt
 *   R_STMT_ERROR  stmt: error NEWLINE               error recovery
 *   R_SET, R_ADD  assignment: IDENT '=' value | IDENT "+=" value
 *   R_END_NL, R_END_SEMI  endstmt: NEWLINE | ';'
 *   R_VALUE_ATOM, R_VALUE_LIST  value: atom | '[' nlok valuelist ']'
 *   R_ATOM_STRING, R_ATOM_NUMBER  atom: STRING | NUMBER
 *   R_VLIST_NONE, R_VLIST, R_VLIST_COMMA  valuelist: <empty> | values | values ',' nlok
 *   R_VALUES_ONE  values: value nlok
 *   R_VALUES_MORE values: values ',' nlok value nlok
 *   R_NLOK_NONE, R_NLOK_MORE  nlok: <empty> | nlok NEWLINE
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlcfg.h"

struct xlcfg_value {
    bool is_list;
    char *str;                  /* a string */
    struct xlcfg_value **items; /* a list */
    size_t n, cap;
};

enum op { OP_SET, OP_ADD };

struct setting {
    char *name;
    struct xlcfg_value *val;
    enum op op; /* of the last assignment: numbers refuse += */
    int line;   /* of the last assignment's value */
};

struct xlcfg {
    char *source;
    struct xlcfg_reporter rep;
    struct setting *set; /* in order of first assignment */
    size_t n, cap;
};

void xlcfg_reportf(const struct xlcfg_reporter *rep, enum xlcfg_level level, const char *fmt, ...)
{
    va_list ap;
    char *line;

    if (!rep || !rep->fn)
        return;
    va_start(ap, fmt);
    if (vasprintf(&line, fmt, ap) < 0)
        line = NULL;
    va_end(ap);
    if (line)
        rep->fn(rep->opaque, level, line);
    free(line);
}

/* ---- values ---- */

static void value_free(struct xlcfg_value *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++)
        value_free(v->items[i]);
    free(v->items);
    free(v->str);
    free(v);
}

static struct xlcfg_value *value_string(char *str)
{
    struct xlcfg_value *v = calloc(1, sizeof(*v));

    if (v)
        v->str = str;
    return v;
}

static struct xlcfg_value *value_list(void)
{
    struct xlcfg_value *v = calloc(1, sizeof(*v));

    if (v)
        v->is_list = true;
    return v;
}

static int list_append(struct xlcfg_value *list, struct xlcfg_value *item)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? 2 * list->cap : 4;
        struct xlcfg_value **items = realloc(list->items, cap * sizeof(*items));

        if (!items)
            return -ENOMEM;
        list->items = items;
        list->cap = cap;
    }
    list->items[list->n++] = item;
    return 0;
}

static struct setting *find(const struct xlcfg *cfg, const char *key)
{
    for (size_t i = 0; i < cfg->n; i++)
        if (!strcmp(cfg->set[i].name, key))
            return &cfg->set[i];
    return NULL;
}

/* ---- scanner ---- */

enum tok {
    /* In bison's symbol order: "expecting" lists are printed in this order. */
    T_END,
    T_IDENT,
    T_STRING,
    T_NUMBER,
    T_NEWLINE,
    T_ADD,
    T_EQ,
    T_SEMI,
    T_LBRACK,
    T_RBRACK,
    T_COMMA,
    T_NTOKENS,
    T_NONE = -1, /* no lookahead read yet */
};

static const char *const tok_name[T_NTOKENS] = {
    "$end", "IDENT", "STRING", "NUMBER", "NEWLINE", "+=", "'='", "';'", "'['", "']'", "','",
};

struct token {
    enum tok type;
    char *str; /* IDENT, NUMBER, STRING (dequoted) */
};

struct parser {
    struct xlcfg *cfg;
    const char *s;
    size_t len, pos;
    int lineno; /* flex's yylineno: 1 + newlines matched so far */
    /*
     * flex's yytext, which error messages quote.  At the end of the input it
     * is whatever a pending lexical error had started plus the buffer's
     * terminating NUL, so it is never trimmed and always quoted.
     */
    const char *text;
    size_t textlen;
    bool text_at_eof;
    int lloc;        /* bison's yylloc.first_line: line of the last token read */
    int err;         /* first error, negative errno; stores stop once set */
    int lexerr_line; /* errors on lines up to this one are not reported */
    bool python;     /* saw one of + - . ( ) : where a token should start */
};

static void set_text(struct parser *p, size_t start, bool at_eof)
{
    p->text = p->s + start;
    p->textlen = p->pos - start;
    p->text_at_eof = at_eof;
}

/* libxlutil's yyerror: quotes the current text, adjusted for a newline. */
static void parse_error(struct parser *p, int line, const char *msg)
{
    const char *nl = "";
    size_t len = p->textlen;
    bool quote;

    if (line <= p->lexerr_line)
        return; /* this line already has its complaint */
    if (p->text_at_eof) {
        quote = true;
    } else {
        if (len > 0 && p->text[len - 1] == '\n') {
            len--;
            line--; /* a NEWLINE token's line is the next one */
            if (!len)
                nl = "<newline>";
        }
        while (len > 0 && (p->text[len - 1] == ' ' || p->text[len - 1] == '\t'))
            len--;
        quote = len > 0;
    }
    len = strnlen(p->text, len); /* printed with %.*s: stops at a NUL byte */
    xlcfg_reportf(&p->cfg->rep, XLCFG_ERROR, "%s:%d: config parsing error near %s%.*s%s%s: %s",
                  p->cfg->source, line, quote ? "`" : "", (int)len, p->text, quote ? "'" : "", nl,
                  msg);
    if (!p->err)
        p->err = -EINVAL;
}

static void lexical_error(struct parser *p, const char *msg)
{
    int line = p->lineno;

    parse_error(p, line, msg);
    p->lexerr_line = line;
}

static bool is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static size_t span(const struct parser *p, size_t i, bool (*ok)(char))
{
    while (i < p->len && ok(p->s[i]))
        i++;
    return i;
}

static bool ident_char(char c)
{
    return is_lower(c) || is_digit(c) || c == '.' || c == '_';
}

static bool number_char(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || c == 'x';
}

static bool word_char(char c)
{
    return c != ' ' && c != '\t' && c != '\n';
}

/* End of a quoted string starting at `start`, or 0 if it does not close on this line. */
static size_t match_string(const struct parser *p, size_t start)
{
    char q = p->s[start];

    for (size_t i = start + 1; i < p->len; i++) {
        char c = p->s[i];

        if (c == q)
            return i + 1;
        /* pvx: a NUL cannot be in a string (libxlutil aborts on one) */
        if (c == '\n' || c == '\0')
            return 0;
        if (c == '\\') {
            if (i + 1 == p->len || p->s[i + 1] == '\n' || p->s[i + 1] == '\0')
                return 0;
            i++;
        }
    }
    return 0;
}

/*
 * Undo the quoting of p->text.  xl's rules, broken ones included: \x is
 * always refused, and a backslash, an octal digit and what strtoul (base
 * 10!) reads from the next three characters (at least two) produce nothing.
 */
static char *dequote(struct parser *p)
{
    static const char esc_in[] = "abfnrtv", esc_out[] = "\a\b\f\n\r\t\v";
    const char *t = p->text, *e;
    size_t end = p->textlen - 1, i = 1;
    char *out = malloc(p->textlen), *q = out;
    const char *bad = NULL;

    if (!out)
        return NULL;
    /* After an error nothing is stored: libxlutil skips the escapes, and their errors. */
    if (p->err)
        goto out;
    while (i < end && !bad) {
        char c = t[i++], nc;

        if (c != '\\') {
            *q++ = c;
            continue;
        }
        nc = t[i++]; /* match_string() guarantees one */
        if (nc == '"' || nc == '\'' || nc == '\\') {
            *q++ = nc;
        } else if (nc && (e = strchr(esc_in, nc))) {
            *q++ = esc_out[e - esc_in];
        } else if (nc == 'x') {
            bad = "invalid digit after backslash hexnumerical character escape in quoted string";
        } else if (nc >= '0' && nc <= '7') {
            char num[4] = {0}, *ep;

            for (size_t k = 0; k < 3 && i + k < p->textlen; k++)
                num[k] = t[i + k];
            strtoul(num, &ep, 10);
            if (ep <= num + 1)
                bad = "invalid digit after backslash octalnumerical character escape in quoted "
                      "string";
            i += (size_t)(ep - num);
        } else {
            bad = "invalid character after backlash in quoted string";
        }
    }
    if (bad) {
        lexical_error(p, bad);
        if (!p->err)
            p->err = -EINVAL;
    }
out:
    *q = 0;
    return out;
}

/* One token into *t; -ENOMEM is the only failure. */
static int lex(struct parser *p, struct token *t)
{
    t->str = NULL;
    for (;;) {
        size_t start = p->pos, end;
        char c;

        if (start == p->len) {
            set_text(p, start, true);
            t->type = T_END; /* yylloc keeps the previous token's line */
            return 0;
        }
        c = p->s[start];
        if (is_lower(c) || is_digit(c)) {
            p->pos = span(p, start + 1, is_lower(c) ? ident_char : number_char);
            set_text(p, start, false);
            t->type = is_lower(c) ? T_IDENT : T_NUMBER;
            t->str = strndup(p->text, p->textlen);
            p->lloc = p->lineno;
            return t->str ? 0 : -ENOMEM;
        }
        if (c == ' ' || c == '\t') {
            p->pos++;
            continue;
        }
        if (c == '\n' || (c == '#' && memchr(p->s + start, '\n', p->len - start))) {
            const char *nl = memchr(p->s + start, '\n', p->len - start);

            p->pos = (size_t)(nl - p->s) + 1;
            p->lineno++;
            set_text(p, start, false);
            t->type = T_NEWLINE;
            p->lloc = p->lineno - 1;
            return 0;
        }
        if ((c == '\'' || c == '"') && (end = match_string(p, start))) {
            p->pos = end;
            set_text(p, start, false);
            t->type = T_STRING;
            t->str = dequote(p);
            p->lloc = p->lineno;
            return t->str ? 0 : -ENOMEM;
        }
        t->type = T_NTOKENS;
        switch (c) {
        case ',':
            t->type = T_COMMA;
            break;
        case '[':
            t->type = T_LBRACK;
            break;
        case ']':
            t->type = T_RBRACK;
            break;
        case '=':
            t->type = T_EQ;
            break;
        case ';':
            t->type = T_SEMI;
            break;
        case '+':
            if (start + 1 < p->len && p->s[start + 1] == '=') {
                p->pos++;
                t->type = T_ADD;
                break;
            }
            /* fall through */
        case '-':
        case '.':
        case '(':
        case ')':
        case ':':
            p->python = true;
            break;
        }
        p->pos++;
        if (t->type != T_NTOKENS) {
            set_text(p, start, false);
            p->lloc = p->lineno;
            return 0;
        }

        /*
         * No token starts here: flex's lexerr state takes the rest of the
         * word, or one blank or newline, and complains about all of it.
         * A bad character that is the very last byte of the input is
         * dropped without a word, as flex does.
         */
        if (p->pos == p->len) {
            set_text(p, start, true);
            t->type = T_END;
            return 0;
        }
        c = p->s[p->pos];
        if (c == '\n') {
            p->pos++;
            p->lineno++;
            set_text(p, start, false);
            lexical_error(p, "lexical error");
            t->type = T_NEWLINE;
            p->lloc = p->lineno;
            return 0;
        }
        p->pos = (c == ' ' || c == '\t') ? p->pos + 1 : span(p, p->pos, word_char);
        set_text(p, start, false);
        lexical_error(p, "lexical error");
    }
}

/* ---- storing assignments ---- */

/* Takes ownership of name and val. */
static void store(struct parser *p, char *name, enum op op, struct xlcfg_value *val, int line)
{
    struct xlcfg *cfg = p->cfg;
    struct setting *prev;

    if (p->err)
        goto out; /* after an error nothing is stored, nor checked */
    prev = find(cfg, name);
    if (op == OP_ADD && prev) {
        struct xlcfg_value *old = prev->val;

        if (old->is_list != val->is_list) {
            lexical_error(p, "can't add [list] to \"string\" or vice versa");
            if (!p->err)
                p->err = -EINVAL;
            goto out;
        }
        if (!val->is_list) {
            char *s;

            if (asprintf(&s, "%s%s", old->str, val->str) < 0) {
                p->err = -ENOMEM;
                goto out;
            }
            free(val->str);
            val->str = s;
        } else {
            struct xlcfg_value **items = malloc((old->n + val->n + 1) * sizeof(*items));

            if (!items) {
                p->err = -ENOMEM;
                goto out;
            }
            if (old->n)
                memcpy(items, old->items, old->n * sizeof(*items));
            if (val->n)
                memcpy(items + old->n, val->items, val->n * sizeof(*items));
            free(val->items);
            val->items = items;
            val->n += old->n;
            val->cap = val->n + 1;
            old->n = 0; /* its items moved */
        }
    }
    if (prev) {
        value_free(prev->val);
        free(name);
    } else {
        if (cfg->n == cfg->cap) {
            size_t cap = cfg->cap ? 2 * cfg->cap : 16;
            struct setting *set = realloc(cfg->set, cap * sizeof(*set));

            if (!set) {
                p->err = -ENOMEM;
                goto out;
            }
            cfg->set = set;
            cfg->cap = cap;
        }
        prev = &cfg->set[cfg->n++];
        prev->name = name;
    }
    prev->val = val;
    prev->op = op;
    prev->line = line;
    return;
out:
    free(name);
    value_free(val);
}

/* ---- the LALR(1) automaton ---- */

enum nterm {
    N_FILE,
    N_STMTS,
    N_STMT,
    N_ASSIGNMENT,
    N_ENDSTMT,
    N_VALUE,
    N_ATOM,
    N_VALUELIST,
    N_VALUES,
    N_NLOK
};

enum rule {
    R_FILE,
    R_FILE_LAST,
    R_STMTS_NONE,
    R_STMTS_MORE,
    R_STMT_ASSIGN,
    R_STMT_END,
    R_STMT_ERROR,
    R_SET,
    R_ADD,
    R_END_NL,
    R_END_SEMI,
    R_VALUE_ATOM,
    R_VALUE_LIST,
    R_ATOM_STRING,
    R_ATOM_NUMBER,
    R_VLIST_NONE,
    R_VLIST,
    R_VLIST_COMMA,
    R_VALUES_ONE,
    R_VALUES_MORE,
    R_NLOK_NONE,
    R_NLOK_MORE,
};

static const struct {
    enum nterm lhs;
    unsigned char len;
} rules[] = {
    [R_FILE] = {N_FILE, 1},         [R_FILE_LAST] = {N_FILE, 2},
    [R_STMTS_NONE] = {N_STMTS, 0},  [R_STMTS_MORE] = {N_STMTS, 2},
    [R_STMT_ASSIGN] = {N_STMT, 2},  [R_STMT_END] = {N_STMT, 1},
    [R_STMT_ERROR] = {N_STMT, 2},   [R_SET] = {N_ASSIGNMENT, 3},
    [R_ADD] = {N_ASSIGNMENT, 3},    [R_END_NL] = {N_ENDSTMT, 1},
    [R_END_SEMI] = {N_ENDSTMT, 1},  [R_VALUE_ATOM] = {N_VALUE, 1},
    [R_VALUE_LIST] = {N_VALUE, 4},  [R_ATOM_STRING] = {N_ATOM, 1},
    [R_ATOM_NUMBER] = {N_ATOM, 1},  [R_VLIST_NONE] = {N_VALUELIST, 0},
    [R_VLIST] = {N_VALUELIST, 1},   [R_VLIST_COMMA] = {N_VALUELIST, 3},
    [R_VALUES_ONE] = {N_VALUES, 2}, [R_VALUES_MORE] = {N_VALUES, 5},
    [R_NLOK_NONE] = {N_NLOK, 0},    [R_NLOK_MORE] = {N_NLOK, 2},
};

/* The states; the comment shows each state's core item(s). */
enum state {
    S_START,      /* . file $end */
    S_STMTS,      /* file: stmts .    stmts: stmts . stmt */
    S_FILE,       /* $accept: file . $end */
    S_KEY,        /* assignment: IDENT . '=' value | IDENT . "+=" value */
    S_NL,         /* endstmt: NEWLINE . */
    S_SEMI,       /* endstmt: ';' . */
    S_ERROR,      /* stmt: error . NEWLINE */
    S_ASSIGN,     /* file: stmts assignment .    stmt: assignment . endstmt */
    S_STMT,       /* stmts: stmts stmt . */
    S_ENDSTMT,    /* stmt: endstmt . */
    S_SET,        /* assignment: IDENT '=' . value */
    S_ADD,        /* assignment: IDENT "+=" . value */
    S_ERRNL,      /* stmt: error NEWLINE . */
    S_STRING,     /* atom: STRING . */
    S_NUMBER,     /* atom: NUMBER . */
    S_LBRACK,     /* value: '[' . nlok valuelist ']' */
    S_SETVAL,     /* assignment: IDENT '=' value . */
    S_ADDVAL,     /* assignment: IDENT "+=" value . */
    S_ATOM,       /* value: atom . */
    S_LISTOPEN,   /* value: '[' nlok . valuelist ']'    nlok: nlok . NEWLINE */
    S_NLOKNL,     /* nlok: nlok NEWLINE . */
    S_LISTBODY,   /* value: '[' nlok valuelist . ']' */
    S_VALUES,     /* valuelist: values .    values: values . ',' ... */
    S_VALUE1,     /* values: value . nlok */
    S_LISTCLOSE,  /* value: '[' nlok valuelist ']' . */
    S_COMMA,      /* valuelist: values ',' . nlok    values: values ',' . nlok value nlok */
    S_VALUE1NL,   /* values: value nlok .    nlok: nlok . NEWLINE */
    S_COMMANL,    /* valuelist: values ',' nlok .    values: values ',' nlok . value nlok */
    S_VALUEN,     /* values: values ',' nlok value . nlok */
    S_VALUENNL,   /* values: values ',' nlok value nlok .    nlok: nlok . NEWLINE */
    S_ASSIGN_END, /* stmt: assignment endstmt . */
};

/* A state whose only action is one reduction decides without a lookahead. */
static int only_reduction(enum state s)
{
    switch (s) {
    case S_START:
        return R_STMTS_NONE;
    case S_NL:
        return R_END_NL;
    case S_SEMI:
        return R_END_SEMI;
    case S_STMT:
        return R_STMTS_MORE;
    case S_ENDSTMT:
        return R_STMT_END;
    case S_ASSIGN_END:
        return R_STMT_ASSIGN;
    case S_ERRNL:
        return R_STMT_ERROR;
    case S_STRING:
        return R_ATOM_STRING;
    case S_NUMBER:
        return R_ATOM_NUMBER;
    case S_LBRACK:
    case S_VALUE1:
    case S_COMMA:
    case S_VALUEN:
        return R_NLOK_NONE;
    case S_SETVAL:
        return R_SET;
    case S_ADDVAL:
        return R_ADD;
    case S_ATOM:
        return R_VALUE_ATOM;
    case S_NLOKNL:
        return R_NLOK_MORE;
    case S_LISTCLOSE:
        return R_VALUE_LIST;
    default:
        return -1;
    }
}

#define ACT_ERROR  (-1000)
#define ACT_ACCEPT (-1001)
#define REDUCE(r)  (-1 - (int)(r))

static int shift_value(enum tok t)
{
    switch (t) {
    case T_STRING:
        return S_STRING;
    case T_NUMBER:
        return S_NUMBER;
    case T_LBRACK:
        return S_LBRACK;
    default:
        return ACT_ERROR;
    }
}

/*
 * Action on lookahead t: a state to shift to, REDUCE(rule), ACT_ERROR or
 * ACT_ACCEPT.  Where bison uses a default reduction, every token that is not
 * shifted reduces (so the error surfaces in a later state, with that state's
 * "expecting" list).  S_STMTS has none because it shifts the error token.
 */
static int action(enum state s, enum tok t)
{
    int a;

    switch (s) {
    case S_STMTS:
        if (t == T_IDENT)
            return S_KEY;
        if (t == T_NEWLINE)
            return S_NL;
        if (t == T_SEMI)
            return S_SEMI;
        return t == T_END ? REDUCE(R_FILE) : ACT_ERROR;
    case S_FILE:
        return t == T_END ? ACT_ACCEPT : ACT_ERROR;
    case S_KEY:
        if (t == T_EQ)
            return S_SET;
        return t == T_ADD ? S_ADD : ACT_ERROR;
    case S_ERROR:
        return t == T_NEWLINE ? S_ERRNL : ACT_ERROR;
    case S_ASSIGN:
        if (t == T_NEWLINE)
            return S_NL;
        return t == T_SEMI ? S_SEMI : REDUCE(R_FILE_LAST);
    case S_SET:
    case S_ADD:
        return shift_value(t);
    case S_LISTOPEN:
        if (t == T_NEWLINE)
            return S_NLOKNL;
        a = shift_value(t);
        return a != ACT_ERROR ? a : REDUCE(R_VLIST_NONE);
    case S_LISTBODY:
        return t == T_RBRACK ? S_LISTCLOSE : ACT_ERROR;
    case S_VALUES:
        return t == T_COMMA ? S_COMMA : REDUCE(R_VLIST);
    case S_VALUE1NL:
        return t == T_NEWLINE ? S_NLOKNL : REDUCE(R_VALUES_ONE);
    case S_COMMANL:
        if (t == T_NEWLINE)
            return S_NLOKNL;
        a = shift_value(t);
        return a != ACT_ERROR ? a : REDUCE(R_VLIST_COMMA);
    case S_VALUENNL:
        return t == T_NEWLINE ? S_NLOKNL : REDUCE(R_VALUES_MORE);
    default:
        return ACT_ERROR; /* not reached: the other states reduce without looking */
    }
}

static enum state go_to(enum state s, enum nterm n)
{
    switch (n) {
    case N_FILE:
        return S_FILE;
    case N_STMTS:
        return S_STMTS;
    case N_STMT:
        return S_STMT;
    case N_ASSIGNMENT:
        return S_ASSIGN;
    case N_ENDSTMT:
        return s == S_ASSIGN ? S_ASSIGN_END : S_ENDSTMT;
    case N_VALUE:
        return s == S_SET ? S_SETVAL : s == S_ADD ? S_ADDVAL : s == S_COMMANL ? S_VALUEN : S_VALUE1;
    case N_ATOM:
        return S_ATOM;
    case N_VALUELIST:
        return S_LISTBODY;
    case N_VALUES:
        return S_VALUES;
    case N_NLOK:
    default:
        return s == S_LBRACK   ? S_LISTOPEN
               : s == S_VALUE1 ? S_VALUE1NL
               : s == S_COMMA  ? S_COMMANL
                               : S_VALUENNL;
    }
}

struct entry {
    enum state state;
    int line;                /* first line of the symbol */
    char *str;               /* IDENT, NUMBER, STRING, atom */
    struct xlcfg_value *val; /* value, valuelist, values */
};

/* bison's YYMAXDEPTH: a deeper stack is "memory exhausted". */
#define STACK_MAX 10000

struct stack {
    struct entry *e;
    size_t n, cap;
};

static void entry_free(struct entry *e)
{
    free(e->str);
    value_free(e->val);
}

static int push(struct parser *p, struct stack *st, struct entry e)
{
    if (st->n == st->cap) {
        size_t cap = st->cap ? 2 * st->cap : 64;
        struct entry *ne = realloc(st->e, cap * sizeof(*ne));

        if (!ne) {
            entry_free(&e);
            return -ENOMEM;
        }
        st->e = ne;
        st->cap = cap;
    }
    st->e[st->n++] = e;
    if (st->n >= STACK_MAX) {
        parse_error(p, p->lloc, "memory exhausted");
        return p->err ? p->err : -EINVAL;
    }
    return 0;
}

/* Pop rule r's symbols and compute its value; the result is not yet pushed. */
static int reduce(struct parser *p, struct stack *st, enum rule r, struct entry *out)
{
    struct entry *rhs = st->e + st->n - rules[r].len;
    int rc = 0;

    out->line = rules[r].len ? rhs[0].line : p->lloc;
    out->str = NULL;
    out->val = NULL;
    switch (r) {
    case R_SET:
    case R_ADD:
        store(p, rhs[0].str, r == R_ADD ? OP_ADD : OP_SET, rhs[2].val, rhs[2].line);
        rhs[0].str = NULL;
        rhs[2].val = NULL;
        break;
    case R_ATOM_STRING:
    case R_ATOM_NUMBER:
        out->str = rhs[0].str;
        rhs[0].str = NULL;
        break;
    case R_VALUE_ATOM:
        out->val = value_string(rhs[0].str);
        if (!out->val)
            rc = -ENOMEM;
        else
            rhs[0].str = NULL;
        break;
    case R_VALUE_LIST:
        out->val = rhs[2].val;
        rhs[2].val = NULL;
        break;
    case R_VLIST_NONE:
        out->val = value_list();
        if (!out->val)
            rc = -ENOMEM;
        break;
    case R_VLIST:
    case R_VLIST_COMMA:
        out->val = rhs[0].val;
        rhs[0].val = NULL;
        break;
    case R_VALUES_ONE:
    case R_VALUES_MORE: {
        struct entry *item = r == R_VALUES_ONE ? &rhs[0] : &rhs[3];

        out->val = r == R_VALUES_ONE ? value_list() : rhs[0].val;
        if (!out->val) {
            rc = -ENOMEM;
            break;
        }
        if (r == R_VALUES_MORE)
            rhs[0].val = NULL;
        rc = list_append(out->val, item->val);
        if (!rc)
            item->val = NULL;
        break;
    }
    default:
        break;
    }
    for (size_t i = 0; i < rules[r].len; i++)
        entry_free(&rhs[i]);
    st->n -= rules[r].len;
    if (rc)
        entry_free(out);
    return rc;
}

static void syntax_error(struct parser *p, enum state s, enum tok t)
{
    char msg[160];
    int len = snprintf(msg, sizeof(msg), "syntax error, unexpected %s", tok_name[t]);
    const char *sep = ", expecting ";

    for (int x = 0; x < T_NTOKENS; x++) {
        if (action(s, (enum tok)x) == ACT_ERROR)
            continue;
        len += snprintf(msg + len, sizeof(msg) - (size_t)len, "%s%s", sep, tok_name[x]);
        sep = " or ";
    }
    parse_error(p, p->lloc, msg);
}

static int run_parser(struct parser *p)
{
    struct stack st = {0};
    struct token la = {.type = T_NONE};
    int errstatus = 0; /* tokens to shift before errors are reported again */
    int rc = push(p, &st, (struct entry){.state = S_START, .line = 1});

    while (!rc) {
        enum state s = st.e[st.n - 1].state;
        int a = only_reduction(s);
        struct entry e;

        if (a < 0) {
            if (la.type == T_NONE) {
                rc = lex(p, &la);
                if (rc)
                    break;
            }
            a = action(s, la.type);
            if (a == ACT_ACCEPT)
                break;
            if (a == ACT_ERROR) {
                if (!errstatus)
                    syntax_error(p, s, la.type);
                if (errstatus == 3) {
                    if (la.type == T_END)
                        break; /* bison gives up */
                    free(la.str);
                    la.type = T_NONE;
                }
                errstatus = 3;
                /* Resume at the statement list; once "file" has been reduced
                 * there is none left and bison gives up. */
                while (st.n && st.e[st.n - 1].state != S_STMTS)
                    entry_free(&st.e[--st.n]);
                if (!st.n)
                    break;
                rc = push(p, &st, (struct entry){.state = S_ERROR, .line = p->lloc});
                continue;
            }
            if (a >= 0) {
                rc = push(p, &st, (struct entry){.state = a, .line = p->lloc, .str = la.str});
                la.type = T_NONE;
                if (errstatus)
                    errstatus--;
                continue;
            }
            a = -1 - a;
        }
        rc = reduce(p, &st, (enum rule)a, &e);
        if (rc)
            break;
        e.state = go_to(st.e[st.n - 1].state, rules[a].lhs);
        rc = push(p, &st, e);
    }
    if (la.type != T_NONE)
        free(la.str);
    while (st.n)
        entry_free(&st.e[--st.n]);
    free(st.e);
    if (rc == -ENOMEM || p->err == -ENOMEM)
        return -ENOMEM;
    return rc ? rc : p->err;
}

/* ---- public API ---- */

void xlcfg_free(struct xlcfg *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n; i++) {
        free(cfg->set[i].name);
        value_free(cfg->set[i].val);
    }
    free(cfg->set);
    free(cfg->source);
    free(cfg);
}

/* The file, then xl create's "\n" + "arg\n"... + "\n" when there are extras. */
static char *with_extra(const char *data, size_t len, const char *const *extra, size_t nextra,
                        size_t *outlen)
{
    size_t total = len + 2, off = len;
    char *buf;

    for (size_t i = 0; i < nextra; i++)
        total += strlen(extra[i]) + 1;
    buf = malloc(total);
    if (!buf)
        return NULL;
    if (len)
        memcpy(buf, data, len);
    buf[off++] = '\n';
    for (size_t i = 0; i < nextra; i++) {
        size_t l = strlen(extra[i]);

        memcpy(buf + off, extra[i], l);
        off += l;
        buf[off++] = '\n';
    }
    buf[off++] = '\n';
    *outlen = off;
    return buf;
}

int xlcfg_parse(const char *source, const char *data, size_t len, const char *const *extra,
                size_t nextra, const struct xlcfg_reporter *rep, struct xlcfg **out)
{
    struct xlcfg *cfg = calloc(1, sizeof(*cfg));
    struct parser p = {.lineno = 1, .lloc = 1, .lexerr_line = -1};
    char *buf = NULL;
    int rc = -ENOMEM;

    *out = NULL;
    if (!data)
        data = "";
    if (!cfg)
        goto out;
    cfg->source = strdup(source ? source : "");
    if (!cfg->source)
        goto out;
    if (rep)
        cfg->rep = *rep;
    if (nextra) {
        buf = with_extra(data, len, extra, nextra, &len);
        if (!buf)
            goto out;
        data = buf;
    }
    p.cfg = cfg;
    p.s = data;
    p.len = len;
    rc = run_parser(&p);
    if (rc && p.python && rc != -ENOMEM) {
        xlcfg_reportf(rep, XLCFG_WARNING,
                      "warning: Config file looks like it contains Python code.");
        xlcfg_reportf(rep, XLCFG_WARNING, "warning:  Arbitrary Python is no longer supported.");
        xlcfg_reportf(rep, XLCFG_WARNING,
                      "warning:  See https://wiki.xen.org/wiki/PythonInXlConfig");
    }
    if (!rc) {
        *out = cfg;
        cfg = NULL;
    }
out:
    free(buf);
    xlcfg_free(cfg);
    return rc;
}

const char *xlcfg_source(const struct xlcfg *cfg)
{
    return cfg->source;
}

const struct xlcfg_reporter *xlcfg_get_reporter(const struct xlcfg *cfg)
{
    return &cfg->rep;
}

void xlcfg_set_reporter(struct xlcfg *cfg, const struct xlcfg_reporter *rep)
{
    cfg->rep = rep ? *rep : (struct xlcfg_reporter){0};
}

size_t xlcfg_nkeys(const struct xlcfg *cfg)
{
    return cfg->n;
}

const char *xlcfg_key(const struct xlcfg *cfg, size_t i)
{
    return i < cfg->n ? cfg->set[i].name : NULL;
}

int xlcfg_key_line(const struct xlcfg *cfg, const char *key)
{
    const struct setting *set = find(cfg, key);

    return set ? set->line : 0;
}

static int find_atom(const struct xlcfg *cfg, const char *key, const struct setting **out,
                     bool quiet)
{
    const struct setting *set = find(cfg, key);

    if (!set)
        return -ESRCH;
    if (set->val->is_list) {
        if (!quiet)
            xlcfg_reportf(&cfg->rep, XLCFG_WARNING,
                          "%s:%d: warning: parameter `%s' is a list but should be a single value",
                          cfg->source, set->line, key);
        return -EINVAL;
    }
    *out = set;
    return 0;
}

int xlcfg_get_string(const struct xlcfg *cfg, const char *key, const char **val, bool quiet)
{
    const struct setting *set;
    int rc = find_atom(cfg, key, &set, quiet);

    if (!rc)
        *val = set->val->str;
    return rc;
}

int xlcfg_get_bounded_long(const struct xlcfg *cfg, const char *key, long min, long max, long *val,
                           bool quiet)
{
    const struct setting *set;
    const char *s;
    char *ep;
    long l;
    int rc = find_atom(cfg, key, &set, quiet);

    if (rc)
        return rc;
    s = set->val->str;
    if (set->op == OP_ADD) {
        if (!quiet)
            xlcfg_reportf(&cfg->rep, XLCFG_WARNING,
                          "%s:%d: warning: can't use += with numbers for parameter `%s'",
                          cfg->source, set->line, key);
        return -EINVAL;
    }
    errno = 0;
    l = strtol(s, &ep, 0);
    if (errno) {
        rc = errno;
        if (!quiet)
            xlcfg_reportf(&cfg->rep, XLCFG_WARNING,
                          "%s:%d: warning: parameter `%s' could not be parsed as a number: %s",
                          cfg->source, set->line, key, strerror(rc));
        return -rc;
    }
    if (*ep || ep == s) {
        if (!quiet)
            xlcfg_reportf(&cfg->rep, XLCFG_WARNING,
                          "%s:%d: warning: parameter `%s' is not a valid number", cfg->source,
                          set->line, key);
        return -EINVAL;
    }
    if (l < min || l > max) {
        if (!quiet)
            xlcfg_reportf(&cfg->rep, XLCFG_WARNING,
                          "%s:%d: warning: value `%ld' is %s than %s bound '%ld'", cfg->source,
                          set->line, l, l < min ? "smaller" : "greater",
                          l < min ? "minimum" : "maximum", l < min ? min : max);
        return -EINVAL;
    }
    *val = l;
    return 0;
}

int xlcfg_get_long(const struct xlcfg *cfg, const char *key, long *val, bool quiet)
{
    return xlcfg_get_bounded_long(cfg, key, LONG_MIN, LONG_MAX, val, quiet);
}

int xlcfg_get_list(const struct xlcfg *cfg, const char *key, const struct xlcfg_value **list,
                   size_t *n, bool quiet)
{
    const struct setting *set = find(cfg, key);

    if (!set)
        return -ESRCH;
    if (!set->val->is_list) {
        if (!quiet)
            xlcfg_reportf(&cfg->rep, XLCFG_WARNING,
                          "%s:%d: warning: parameter `%s' is a single value but should be a list",
                          cfg->source, set->line, key);
        return -EINVAL;
    }
    if (list)
        *list = set->val;
    if (n)
        *n = set->val->n;
    return 0;
}

int xlcfg_get_string_list(const struct xlcfg *cfg, const char *key, const char ***items, size_t *n,
                          bool quiet)
{
    const struct xlcfg_value *list;
    const char **out;
    size_t len;
    int rc = xlcfg_get_list(cfg, key, &list, &len, quiet);

    if (rc)
        return rc;
    for (size_t i = 0; i < len; i++) {
        if (list->items[i]->is_list) {
            if (!quiet)
                xlcfg_reportf(&cfg->rep, XLCFG_WARNING,
                              "%s:%d: warning: parameter `%s' element %zu is a list but should be "
                              "a string",
                              cfg->source, xlcfg_key_line(cfg, key), key, i);
            return -EINVAL;
        }
    }
    out = calloc(len + 1, sizeof(*out));
    if (!out)
        return -ENOMEM;
    for (size_t i = 0; i < len; i++)
        out[i] = list->items[i]->str;
    *items = out;
    if (n)
        *n = len;
    return 0;
}

const struct xlcfg_value *xlcfg_lookup(const struct xlcfg *cfg, const char *key)
{
    const struct setting *set = find(cfg, key);

    return set ? set->val : NULL;
}

bool xlcfg_value_is_list(const struct xlcfg_value *v)
{
    return v->is_list;
}

const char *xlcfg_value_string(const struct xlcfg_value *v)
{
    return v->is_list ? NULL : v->str;
}

size_t xlcfg_list_len(const struct xlcfg_value *list)
{
    return list->is_list ? list->n : 0;
}

const struct xlcfg_value *xlcfg_list_item(const struct xlcfg_value *list, size_t i)
{
    return list->is_list && i < list->n ? list->items[i] : NULL;
}

const char *xlcfg_list_string(const struct xlcfg_value *list, size_t i)
{
    const struct xlcfg_value *v = xlcfg_list_item(list, i);

    return v && !v->is_list ? v->str : NULL;
}
