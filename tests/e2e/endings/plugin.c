static volatile int sink;
void plugin_hit(void)
{
	sink++; /* MARK:plugin.hit */
}
