#ifndef STATS_HPP
#define STATS_HPP

#include <vector>

#define STATS_API __attribute__((visibility("default")))

// Header code, instantiated in the test program: its counts come from there.
template <typename T>
class Accumulator {
public:
	Accumulator() : values_(), max_() {}
	void add(T value)
	{
		if (values_.empty() || value > max_)
			max_ = value;
		values_.push_back(value);
	}
	T max() const { return max_; }
	std::size_t size() const { return values_.size(); }

private:
	std::vector<T> values_;
	T max_;
};

STATS_API long stats_sum_of_squares(int n);
STATS_API int stats_parity(int n);

#endif
