"""Miconi's node-perturbation rule as hand-written C++: the trace from its rank-one factors.

Source: Miconi T. (2017) eLife 6:e20899, Methods, "Learning rule". The same rule as
:class:`synapses.node_perturbation.NodePerturbation`, for speed. ANNarchy 5.0.4.1 updates
the trace of every synapse at every step, in a loop gcc does not vectorize, and the
end-of-trial weight change goes through Python lists. But the increment factorizes,
``(r_j(t-1) dx_i(t))^3 = r3prev_j(t) dx3_i(t)``, so over a trial (Miconi's own remark)::

    trace_ij = sum_t dx3_i(t) r3prev_j(t)          (t from the step where carry_i was 0)

Through ANNarchy's extension API for projections with their own C++ code
(``SpecificProjection``, as its convolution and diagonal projections use), this projection
records the two factor vectors at each step (2 N values instead of N^2 updates) and forms
the trace by a blocked matrix product when it is needed; at each step it computes only the
weighted sum ``sum(rec)_i = sum_j w_ij r_j``. A step's factors exist once the neurons have
updated, so each step records those of the step before, and ``flush()`` records the last
one; ``end_trial(E, Ebar)`` flushes, then applies Miconi's weight change
``clip(-eta * trace * Ebar * (E - Ebar), +/-max_dw)``. The history is folded into the trace
every 4096 steps, which bounds its memory. Factors ``|dx3| < 2.2e-308`` (subnormal: the
bias units' ``dx`` decays to nothing) count as 0; each would add less than that.

When at least half of all possible synapses exist, the weights are mirrored in a dense
matrix, so that the weighted sum and the product run over contiguous memory (vectorized);
sparser projections use the CSR rows directly. ``trace`` is a local parameter of the
synapse (no ANNarchy equation updates it), readable from Python after ``flush()``.
"""

import ANNarchy as ann
from ANNarchy.intern.SpecificProjection import SpecificProjection

from synapses.node_perturbation import learning_parameters

PSP = """
        if (_transmission && pop%(id_post)s->_active) {
            if (first_step_.empty())
                prepare();
            if (pending_)
                record();
            if (mirror_stale_)
                mirror();
            const double* __restrict__ r = pop%(id_pre)s->r.data();
            double* __restrict__ target_sum = pop%(id_post)s->_sum_%(target)s.data();
            const int n_pre = pop%(id_pre)s->size;
            for (const int i : post_ranks_) {
                double sum = 0.0;
                if (dense_) {
                    const double* __restrict__ weights = w_dense_.data() + std::size_t(i) * n_pre;
                    #pragma omp simd reduction(+:sum)
                    for (int k = 0; k < n_pre; k++)
                        sum += weights[k] * r[k];
                } else {
                    for (int j = row_begin_[i]; j < row_begin_[i + 1]; j++)
                        sum += w[j] * r[col_idx_[j]];
                }
                target_sum[i] += sum;
            }
            pending_ = true;
        }
"""

DECLARE = """
    // true while the neurons hold the factors of a step not yet recorded
    bool pending_ = false;
    // r3prev (pre) and dx3 (post) of the steps recorded since the last fold, a row per step
    std::vector<double> pre_history_, post_history_;
    int steps_ = 0;
    // per post-synaptic rank, the first recorded step that counts (its trace restarted there)
    std::vector<int> first_step_;
    // dense mode: the weights as a [post][pre] matrix (0 where no synapse), and a row buffer
    bool dense_ = false, mirror_stale_ = true;
    std::vector<double> w_dense_, row_;
    static constexpr int FOLD_EVERY = 4096;  // steps; bounds the history's memory
    static constexpr int CHUNK = 16;  // steps folded together (their pre factors stay in cache)

    // once, with the connectivity known: the mode, and one restart step per post-synaptic rank
    void prepare() {
        const int n_pre = pop%(id_pre)s->size, n_post = pop%(id_post)s->size;
        first_step_.assign(n_post, 0);
        dense_ = 2 * w.size() >= std::size_t(n_pre) * n_post;
    }

    // rebuilds the dense mirror of w (dense mode)
    void mirror() {
        const int n_pre = pop%(id_pre)s->size, n_post = pop%(id_post)s->size;
        if (dense_) {
            w_dense_.assign(std::size_t(n_pre) * n_post, 0.0);
            for (const int i : post_ranks_)
                for (int j = row_begin_[i]; j < row_begin_[i + 1]; j++)
                    w_dense_[std::size_t(i) * n_pre + col_idx_[j]] = w[j];
        }
        mirror_stale_ = false;
    }

    // keeps the factors of the step the neurons just computed; carry_i = 0 restarts row i
    void record() {
        const auto& carry = pop%(id_post)s->carry;
        bool all_restart = true;
        for (const int i : post_ranks_)
            all_restart = all_restart && carry[i] == 0.0;
        if (all_restart) {  // a trial's first step: the history so far no longer counts
            pre_history_.clear();
            post_history_.clear();
            steps_ = 0;
        }
        for (const int i : post_ranks_) {
            if (carry[i] == 0.0) {
                std::fill(trace.begin() + row_begin_[i], trace.begin() + row_begin_[i + 1], 0.0);
                first_step_[i] = steps_;
            }
        }
        const auto& r3prev = pop%(id_pre)s->r3prev;
        pre_history_.insert(pre_history_.end(), r3prev.begin(), r3prev.end());
        for (const double factor : pop%(id_post)s->dx3)
            post_history_.push_back(std::abs(factor) < std::numeric_limits<double>::min() ? 0.0 : factor);
        steps_++;
        pending_ = false;
        if (steps_ == FOLD_EVERY)
            fold();
    }

    // adds the recorded outer products dx3 r3prev to the trace and clears the history.
    // Steps go four at a time, so that a row is loaded and stored once per four steps; in
    // dense mode a chunk's sums collect in a dense row, added to the synapses once.
    void fold() {
        const int n_pre = pop%(id_pre)s->size, n_post = pop%(id_post)s->size;
        const double* __restrict__ pre = pre_history_.data();
        const double* __restrict__ post = post_history_.data();
        row_.resize(n_pre);
        for (int t0 = 0; t0 < steps_; t0 += CHUNK) {
            const int t1 = std::min(steps_, t0 + CHUNK);
            for (const int i : post_ranks_) {
                const int begin = row_begin_[i], size = row_begin_[i + 1] - begin;
                double* __restrict__ e = trace.data() + begin;
                const int* __restrict__ cols = col_idx_.data() + begin;
                double* __restrict__ acc = row_.data();
                if (dense_)
                    std::fill(row_.begin(), row_.end(), 0.0);
                bool any = false;
                for (int t = std::max(t0, first_step_[i]); t < t1; t += 4) {
                    const int n = std::min(4, t1 - t);  // steps in this group
                    double b[4] = {0.0, 0.0, 0.0, 0.0};
                    const double* a[4];
                    for (int s = 0; s < 4; s++) {
                        a[s] = pre + std::size_t(t + std::min(s, n - 1)) * n_pre;  // valid if s >= n
                        if (s < n)
                            b[s] = post[std::size_t(t + s) * n_post + i];
                    }
                    if (b[0] == 0.0 && b[1] == 0.0 && b[2] == 0.0 && b[3] == 0.0)
                        continue;
                    any = true;
                    if (dense_) {
                        #pragma omp simd
                        for (int k = 0; k < n_pre; k++)
                            acc[k] += b[0] * a[0][k] + b[1] * a[1][k] + b[2] * a[2][k] + b[3] * a[3][k];
                    } else {
                        for (int j = 0; j < size; j++) {
                            const int k = cols[j];
                            e[j] += b[0] * a[0][k] + b[1] * a[1][k] + b[2] * a[2][k] + b[3] * a[3][k];
                        }
                    }
                }
                if (dense_ && any)
                    for (int j = 0; j < size; j++)
                        e[j] += acc[cols[j]];
            }
        }
        std::fill(first_step_.begin(), first_step_.end(), 0);
        pre_history_.clear();
        post_history_.clear();
        steps_ = 0;
    }

    // completes the trace: the last simulated step's factors, then the fold
    void flush() {
        if (first_step_.empty())
            prepare();
        if (pending_)
            record();
        fold();
    }

    // Miconi's end-of-trial weight change from the complete trace
    void end_trial(double error, double mean_error) {
        flush();
        const double scale = -eta * mean_error * (error - mean_error);
        for (std::size_t j = 0; j < w.size(); j++)
            w[j] += std::min(max_dw, std::max(-max_dw, scale * trace[j]));
        mirror_stale_ = true;
    }

    // the setters of local attributes, which also mark the dense mirror of w as stale
    void set_all(std::string name, std::vector<std::vector<double>> value) {
        set_local_attribute_all_double(name, value);
        mirror_stale_ = true;
    }
    void set_row(std::string name, int rk_post, std::vector<double> value) {
        set_local_attribute_row_double(name, rk_post, value);
        mirror_stale_ = true;
    }
    void set_one(std::string name, int rk_post, int rk_pre, double value) {
        set_local_attribute_double(name, rk_post, rk_pre, value);
        mirror_stale_ = true;
    }
"""

WRAPPER = """
    // NodePerturbationProjection ProjStruct%(id_proj)s
    nanobind::class_<ProjStruct%(id_proj)s>(m, "proj%(id_proj)s_wrapper")
        .def(nanobind::init<>())
        .def_rw("_transmission", &ProjStruct%(id_proj)s::_transmission)
        .def_rw("_axon_transmission", &ProjStruct%(id_proj)s::_axon_transmission)
        .def_rw("_update", &ProjStruct%(id_proj)s::_update)
        .def_rw("_update_period", &ProjStruct%(id_proj)s::_update_period)
        .def_rw("_update_offset", &ProjStruct%(id_proj)s::_update_offset)
        .def_rw("_plasticity", &ProjStruct%(id_proj)s::_plasticity)
        .def("init_from_lil", &ProjStruct%(id_proj)s::init_from_lil)
        .def("post_rank", nanobind::overload_cast<>(&ProjStruct%(id_proj)s::get_post_rank))
        .def("dendrite_size", &ProjStruct%(id_proj)s::dendrite_size)
        .def("nb_dendrites", &ProjStruct%(id_proj)s::nb_dendrites)
        .def("pre_ranks", &ProjStruct%(id_proj)s::get_pre_ranks)
        .def("pre_rank", &ProjStruct%(id_proj)s::get_dendrite_pre_rank)
        .def("nb_synapses", &ProjStruct%(id_proj)s::nb_synapses)
        .def("get_local_attribute_all_double", &ProjStruct%(id_proj)s::get_local_attribute_all_double)
        .def("get_local_attribute_row_double", &ProjStruct%(id_proj)s::get_local_attribute_row_double)
        .def("get_local_attribute_double", &ProjStruct%(id_proj)s::get_local_attribute_double)
        .def("set_local_attribute_all_double", &ProjStruct%(id_proj)s::set_all)
        .def("set_local_attribute_row_double", &ProjStruct%(id_proj)s::set_row)
        .def("set_local_attribute_double", &ProjStruct%(id_proj)s::set_one)
        .def("get_global_attribute_double", &ProjStruct%(id_proj)s::get_global_attribute_double)
        .def("set_global_attribute_double", &ProjStruct%(id_proj)s::set_global_attribute_double)
        .def("flush", &ProjStruct%(id_proj)s::flush)
        .def("end_trial", &ProjStruct%(id_proj)s::end_trial)
        .def("size_in_bytes", &ProjStruct%(id_proj)s::size_in_bytes)
        .def("clear", &ProjStruct%(id_proj)s::clear);
"""


class TraceStore(ann.Synapse):
    """The synapse of :class:`NodePerturbationProjection`: the weight, the trace (a local
    parameter, written only by the projection's C++ code), ``eta`` and ``max_dw``.

    :param eta: learning rate (0.1 in Miconi's code, 0.5 in ANNarchy's notebook).
    :param max_dw: bound of the elementwise weight change per trial (3e-4 for DNMS).
    """

    def __init__(self, eta=0.1, max_dw=3e-4):
        super().__init__(
            parameters=dict(
                learning_parameters(eta, max_dw), trace=ann.Parameter(0.0, locality="local")
            ),
            name="Node-perturbation trace (C++ kernel)",
            description="Weight and eligibility trace updated by NodePerturbationProjection's "
            "C++ code (Miconi 2017).",
        )


class NodePerturbationProjection(SpecificProjection):
    """Recurrent projection of :class:`neurons.reservoir.ReservoirNeuron` units (CSR storage)
    with the C++ code above; ``end_trial(error, mean_error)`` and ``flush()`` are methods of
    its C++ instance (``proj.cyInstance``). Single-threaded only.
    """

    def __init__(self, pre, post, target, eta=0.1, max_dw=3e-4, *, net_id, copied=False):
        super().__init__(pre, post, target, TraceStore(eta, max_dw), copied=copied, net_id=net_id)
        self._eta, self._max_dw = eta, max_dw

    def _copy(self, pre, post, net_id=None):
        return NodePerturbationProjection(
            pre, post, self.target, self._eta, self._max_dw,
            net_id=self.net_id if net_id is None else net_id, copied=True,
        )

    def _generate_st(self):
        ids = dict(id_proj=self.id, id_pre=self.pre.id, id_post=self.post.id, target=self.target)
        self._specific_template["include_additional"] = "#include <limits>"
        self._specific_template["psp_prefix"] = ""
        self._specific_template["psp_code"] = PSP % ids
        self._specific_template["declare_additional"] = DECLARE % ids
        self._specific_template["wrapper"] = WRAPPER % ids

    def _generate_omp(self):
        raise NotImplementedError("NodePerturbationProjection runs on one thread only.")

    def _generate_cuda(self):
        raise NotImplementedError("NodePerturbationProjection has no CUDA code.")
