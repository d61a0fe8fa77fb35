import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ParseIdPipe } from '@app/http-edge';
import { CreateRefundDto, RefundListView, RefundView } from './refunds.dto';
import { RefundsService } from './refunds.service';

@ApiTags('orders')
@ApiBearerAuth('apiKey')
@Controller('v1/orders/:id/payments/:paymentId/refunds')
export class RefundsController {
  constructor(private readonly refunds: RefundsService) {}

  @ApiOperation({ summary: 'Refund part or all of a payment' })
  @Post()
  @ApiCreatedResponse({ type: RefundView })
  @ApiConflictResponse({ description: 'The amount is more than is left to refund of the payment' })
  refund(
    @Param('id', new ParseIdPipe()) orderId: number,
    @Param('paymentId', new ParseIdPipe('paymentId')) paymentId: number,
    @Body() body: CreateRefundDto,
  ): Promise<RefundView> {
    return this.refunds.refund(orderId, paymentId, body);
  }

  @ApiOperation({ summary: "List a payment's refunds" })
  @Get()
  @ApiOkResponse({ type: RefundListView })
  async list(@Param('id', new ParseIdPipe()) orderId: number, @Param('paymentId', new ParseIdPipe('paymentId')) paymentId: number): Promise<RefundListView> {
    return { data: await this.refunds.list(orderId, paymentId) };
  }
}
