"""Grant-making: calls for proposals, applications, reviews, awards and monitoring."""
