// CNftnl: the system library libnftnl, found through pkg-config.
#include <stdint.h>
#include <sys/types.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/expr.h>
#include <libnftnl/set.h>
#include <libnftnl/batch.h>
#include <libnftnl/common.h>
#include <libnftnl/gen.h>
#include <libnftnl/object.h>
