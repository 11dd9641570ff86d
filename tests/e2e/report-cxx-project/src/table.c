/* Only data, no function (as pcre2's pcre2_chartables.c): gcov says "no functions found"
 * for its object, which is expected and must not reach the terminal. */
const unsigned char table[4] = {1, 2, 3, 4};
