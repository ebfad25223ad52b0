# bench/chart.gp - the chart of a bench report: virtblkiosim / peer for
# every comparison of the primary clock (instruction time), as bars with
# the range of the paired ratios, and the targets as lines.
#
#   gnuplot -e "dat='ratios.dat'; out='x.png'; title='...'; series='2 5 8'" bench/chart.gp
#
# dat is written by bench/report --dat: a label, then (ratio, low, high)
# for vs brd (column 2), vs null_blk (5), ioctl vs pread O_DIRECT (8),
# engine off vs compiled out (11) and identity model vs the in-kernel path
# (14), "-" where a row has no such comparison. series lists the first
# columns of the comparisons that have data (bench/run finds them), so an
# all-missing series is left out rather than warned about.

set terminal pngcairo size 1400,680 font "sans,10"
set output out
set title title noenhanced
set datafile missing "-"
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set yrange [0:*]
set ylabel "virtblkiosim / peer (higher is better)"
set grid ytics
set key inside left top vertical noenhanced opaque
set xtics rotate by -30 left noenhanced
set bmargin 8
set rmargin 22

if (!exists("series")) series = "2 5"
name(c) = c == 2 ? "vs brd" : c == 5 ? "vs null_blk" : \
	c == 8 ? "ioctl vs pread/pwrite O_DIRECT" : \
	c == 11 ? "engine off vs compiled out" : "identity model vs in-kernel"
colors = "#1f77b4 x x #ff7f0e x x #2ca02c x x #8c564b x x #9467bd"

# The targets: 1.00 (brd with poll queues, pread), 1.10 (null_blk), 0.99
# (engine off), 0.50 and 0.30 (identity model at QD32 and QD1).
set arrow 1 from graph 0, first 1.0 to graph 1, first 1.0 nohead lw 2 dt 2 lc rgb "#333333" front
set arrow 2 from graph 0, first 1.1 to graph 1, first 1.1 nohead lw 1 dt 3 lc rgb "#d62728" front
set label 1 "1.00" at graph 1, first 1.0 offset 0.5,0 left
set label 2 "1.10 (null_blk target)" at graph 1, first 1.1 offset 0.5,0.6 left noenhanced tc rgb "#d62728"
if (strstrt(series, "14")) {
	set arrow 3 from graph 0, first 0.5 to graph 1, first 0.5 nohead lw 1 dt 3 lc rgb "#9467bd" front
	set label 3 "0.50 (model, QD32)" at graph 1, first 0.5 offset 0.5,0.4 left tc rgb "#9467bd"
	set arrow 4 from graph 0, first 0.3 to graph 1, first 0.3 nohead lw 1 dt 3 lc rgb "#9467bd" front
	set label 4 "0.30 (model, QD1)" at graph 1, first 0.3 offset 0.5,-0.4 left tc rgb "#9467bd"
}

plot for [c in series] dat using (column(int(c))):(column(int(c) + 1)):(column(int(c) + 2)):xtic(1) \
	title name(int(c)) lc rgb word(colors, int(c) - 1)
