static volatile int sink;
void shared_hit(void)
{
	sink++; /* MARK:shared.hit */
}
