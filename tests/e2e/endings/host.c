/* Not instrumented: dlopen()s an instrumented plugin, calls it, dlclose()s it, then dies
 * by SIGTERM. The plugin's runtime copy owned the signal handlers. */
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	void *h = argc > 1 ? dlopen(argv[1], RTLD_NOW) : NULL;
	void (*hit)(void) = h ? (void (*)(void))dlsym(h, "plugin_hit") : NULL;
	if (!hit) {
		fprintf(stderr, "cannot load the plugin: %s\n", dlerror());
		return 2;
	}
	hit();
	hit();
	hit();
	dlclose(h);
	raise(SIGTERM);
	return 0;
}
