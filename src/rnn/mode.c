/* The mode table: each recurrent mode's name and cell. */
#include "rnn/cell.h"

typedef struct mode_entry {
    const char *name;
    const rc_cell *cell;
} mode_entry;

static const mode_entry modes[] = {
    [RC_RNN_TANH] = {"rnn_tanh", &rc_cell_rnn_tanh},
    [RC_RNN_RELU] = {"rnn_relu", &rc_cell_rnn_relu},
    [RC_LSTM] = {"lstm", &rc_cell_lstm},
    [RC_GRU] = {"gru", &rc_cell_gru},
};

_Static_assert(sizeof(modes) / sizeof(modes[0]) == RC_RNN_MODE_COUNT, "modes must list every rc_rnn_mode");

static bool valid(rc_rnn_mode mode) { return (int)mode >= 0 && mode < RC_RNN_MODE_COUNT; }

const char *rc_rnn_mode_name(rc_rnn_mode mode) { return valid(mode) ? modes[mode].name : "invalid"; }

int rc_rnn_mode_gates(rc_rnn_mode mode) { return valid(mode) ? modes[mode].cell->gates : 0; }

const rc_cell *rc_cell_of(rc_rnn_mode mode)
{
    RC_ASSERT(valid(mode));
    return modes[mode].cell;
}

rc_cell_kernels rc_cell_kernels_active(const rc_cell *cell)
{
    rc_cell_kernels k = cell->k[rc_simd_active()];
    return k.forward ? k : cell->k[RC_SIMD_SCALAR];
}
