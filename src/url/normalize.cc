#include "url/normalize.h"
