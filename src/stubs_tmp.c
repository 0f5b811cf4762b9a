/* Temporary stubs so the skeleton links; each is replaced by its module. */
#include <stdio.h>
#include "cmd.h"

